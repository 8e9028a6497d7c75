using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ProxyMcp.Proxy;

namespace ProxyMcp.Cli;

/// <summary>--transport http: MCP Streamable HTTP at /mcp, loopback by default, behind the Origin/Host guard and an optional bearer token.</summary>
public static class HttpTransportServer
{
    public const string Path = "/mcp";

    public static WebApplication Build(RuntimeSettings settings, HttpEndpointOptions endpoint)
    {
        // The empty builder reads no appsettings or ASPNETCORE_* variables: only our flags decide where we listen.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint.BindAddress, endpoint.Port));
        builder.Services.AddRouting();
        StderrLogging.Configure(builder.Logging);
        // A busy port is reported once, by RunAsync, in one line; the host would log it first with a stack trace. A
        // background service that crashes still shows: the host logs that at Critical before stopping.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Services.AddProxyRuntime(settings);
        // Sessions as proxy-mcp's HTTP transport has them (spec 10): an Mcp-Session-Id from initialize, GET /mcp for the
        // server's own messages (list changes, log notifications) and DELETE /mcp to end a session. The SDK's default is
        // stateless, which has none of these.
        builder.Services.AddProxyMcpServer().WithHttpTransport(options => options.Stateless = false);

        var app = builder.Build();
        var guard = new LoopbackGuard(endpoint);
        var tokenCheck = endpoint.AuthToken is { } token ? new BearerTokenCheck(token) : null;
        app.Use(async (context, next) =>
        {
            if (guard.Reject(context.Request) is { } reason)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsync(reason, context.RequestAborted);
                return;
            }
            if (tokenCheck is not null && !tokenCheck.IsAuthorized(context.Request))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await context.Response.WriteAsync("Missing or wrong bearer token (see --auth-token).", context.RequestAborted);
                return;
            }
            await next(context);
        });
        app.UseRouting();
        app.MapMcp(Path);
        return app;
    }

    /// <summary>The URL the server listens on once started (the real port when 0 was asked).</summary>
    public static Uri EndpointUrl(WebApplication app)
    {
        var address = new Uri(app.Urls.First());
        var host = address.Host is "0.0.0.0" or "[::]" ? "127.0.0.1" : address.Host;
        return new Uri($"{address.Scheme}://{host}:{address.Port}{Path}");
    }

    public static async Task<int> RunAsync(RuntimeSettings settings, HttpEndpointOptions endpoint, int? proxyPort, CancellationToken cancellationToken)
    {
        await using var app = Build(settings, endpoint);
        if (proxyPort is { } port &&
            !await Launcher.StartProxyAtLaunchAsync(app.Services.GetRequiredService<ProxyRuntime>(), port, cancellationToken))
        {
            return 1;
        }
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"proxy-mcp: cannot listen on {endpoint.Host}:{endpoint.Port}: {e.Message}");
            return 1;
        }
        await Console.Error.WriteLineAsync($"MCP endpoint: {EndpointUrl(app)}" + (endpoint.AuthToken is null ? "" : " (bearer token required)"));
        if (!IPAddress.IsLoopback(endpoint.BindAddress) && endpoint.AuthToken is null)
        {
            await Console.Error.WriteLineAsync("proxy-mcp: warning: the MCP endpoint is reachable from the network without --auth-token.");
        }
        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }
}
