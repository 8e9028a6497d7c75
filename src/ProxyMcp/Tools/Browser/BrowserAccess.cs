using Microsoft.Playwright;
using ModelContextProtocol;
using ProxyMcp.Interceptors;
using ProxyMcp.Interceptors.Browser;
using ProxyMcp.Proxy;

namespace ProxyMcp.Tools.Browser;

/// <summary>
/// What the browser, devtools and humanizer tools share: finding the interceptor and a target, the "[proxy]" precondition,
/// and turning interceptor and Playwright failures into messages for the agent (a dead browser is named as such, not as
/// Playwright's "Target closed").
/// </summary>
internal static class BrowserAccess
{
    public static BrowserInterceptor Interceptor(ProxyRuntime runtime) =>
        runtime.Interceptors.Find<BrowserInterceptor>() ?? throw new McpException("Browser interceptor not registered.");

    public static BrowserTarget Target(ProxyRuntime runtime, string targetId)
    {
        var interceptor = Interceptor(runtime);
        try
        {
            return interceptor.Get(targetId);
        }
        catch (InterceptorException e)
        {
            throw new McpException(e.Message, e);
        }
    }

    /// <summary>The target's page; a dead browser or closed page → the spec's messages.</summary>
    public static IPage Page(BrowserTarget target)
    {
        try
        {
            return target.Page;
        }
        catch (InterceptorException e)
        {
            throw new McpException(e.Message, e);
        }
    }

    /// <summary>Where the proxy listens and which CA to trust; the spec's "[proxy]" precondition.</summary>
    public static InterceptionContext ProxyContext(ProxyRuntime runtime)
    {
        if (runtime.EndPoint is not { } endPoint) throw new McpException("Proxy is not running. Start it first with proxy_start.");
        var authority = runtime.FindAuthority() ?? throw new McpException("No certificate available. Start the proxy first.");
        return new InterceptionContext(endPoint, authority.CertificatePem, authority.SpkiSha256Base64);
    }

    /// <summary>Runs a browser operation; failures become <see cref="McpException"/>s with a message the agent can act on.</summary>
    public static async Task<T> RunAsync<T>(BrowserTarget? target, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (InterceptorException e)
        {
            throw new McpException(e.Message, e);
        }
        catch (PlaywrightException e)
        {
            if (target is not null && target.ExitReason is { } reason)
            {
                throw new McpException($"Browser target '{target.Id}' is no longer running ({reason}). Close it with interceptor_browser_close.", e);
            }
            throw new McpException(Describe(e), e);
        }
    }

    /// <summary>Playwright's message without its call log, which repeats the arguments at length.</summary>
    public static string Describe(PlaywrightException e)
    {
        var message = e.Message;
        var log = message.IndexOf("Call log:", StringComparison.Ordinal);
        if (log >= 0) message = message[..log];
        message = message.Replace("=========================== logs ===========================", "", StringComparison.Ordinal).Trim();
        return message.Length <= 1000 ? message : message[..1000] + "...";
    }
}
