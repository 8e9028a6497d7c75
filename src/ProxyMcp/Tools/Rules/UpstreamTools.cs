using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Engine.Upstream;
using ProxyMcp.Proxy;
using ProxyMcp.Results;

namespace ProxyMcp.Tools.Rules;

/// <summary>proxy_set_upstream … proxy_remove_host_upstream (spec 4, 5.3). Applied to new requests without restarting.</summary>
[McpServerToolType]
public sealed class UpstreamTools(ProxyRuntime runtime)
{
    private const string UrlHelp =
        "http://host:port, https://…, socks4://, socks4a://, socks5://, socks5h:// (credentials as user:pass@), or pac+http(s)://…/proxy.pac";

    [McpServerTool(Name = "proxy_set_upstream")]
    [Description("Send all proxied traffic through an upstream proxy (per-host settings win). Applies to new requests at once.")]
    public async Task<CallToolResult> SetAsync(
        [Description("Upstream proxy URL: " + UrlHelp)] string proxy_url,
        [Description("Hosts that bypass it: host (and subdomains), .suffix, *.suffix, host:port, IP, or *.")] string?[]? no_proxy = null,
        CancellationToken cancellationToken = default)
    {
        var proxy = Parse(proxy_url, no_proxy);
        await Apply(() => runtime.Engine.SetGlobalUpstreamAsync(proxy, cancellationToken));
        var result = ToolResult.Success();
        result["message"] = $"Global upstream set to {proxy.MaskedUrl}";
        result["noProxy"] = new JsonArray(proxy.NoProxy.Select(e => (JsonNode?)e).ToArray());
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_clear_upstream")]
    [Description("Connect to origins directly again (per-host upstreams stay).")]
    public async Task<CallToolResult> ClearAsync(CancellationToken cancellationToken = default)
    {
        await runtime.Engine.SetGlobalUpstreamAsync(null, cancellationToken);
        var result = ToolResult.Success();
        result["message"] = "Global upstream cleared.";
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_set_host_upstream")]
    [Description("Send traffic for one host through its own upstream proxy (overrides the global one).")]
    public async Task<CallToolResult> SetHostAsync(
        [Description("Request host name (case-insensitive).")] string hostname,
        [Description("Upstream proxy URL: " + UrlHelp)] string proxy_url,
        [Description("Bypass list for this setting.")] string?[]? no_proxy = null,
        CancellationToken cancellationToken = default)
    {
        var host = ToolArguments.RequiredText(hostname, "hostname").Trim();
        var proxy = Parse(proxy_url, no_proxy);
        await Apply(() => runtime.Engine.SetHostUpstreamAsync(host, proxy, cancellationToken));
        var result = ToolResult.Success();
        result["message"] = $"Upstream for '{host}' set to {proxy.MaskedUrl}";
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_remove_host_upstream")]
    [Description("Remove a host's upstream override.")]
    public CallToolResult RemoveHost([Description("The host name given to proxy_set_host_upstream.")] string hostname)
    {
        var host = ToolArguments.RequiredText(hostname, "hostname").Trim();
        if (!runtime.Engine.Upstreams.RemoveHost(host)) throw new McpException($"No upstream override for '{host}'");
        var result = ToolResult.Success();
        result["message"] = $"Upstream override for '{host}' removed.";
        return ToolResult.Ok(result);
    }

    /// <summary>The status view of an upstream: URL with the password masked, and its bypass list.</summary>
    public static JsonObject Describe(UpstreamProxy proxy)
    {
        var json = new JsonObject { ["proxyUrl"] = proxy.MaskedUrl };
        if (proxy.NoProxy.Count > 0) json["noProxy"] = new JsonArray(proxy.NoProxy.Select(e => (JsonNode?)e).ToArray());
        return json;
    }

    /// <summary>Runs an engine change; what it rejects (a malformed host name, an unreachable or invalid PAC file) is the caller's to fix.</summary>
    private static async Task Apply(Func<Task> change)
    {
        try
        {
            await change();
        }
        catch (ArgumentException ex)
        {
            throw new McpException(ex.Message);
        }
    }

    private static UpstreamProxy Parse(string? url, string?[]? noProxy)
    {
        try
        {
            return UpstreamProxy.Parse(ToolArguments.RequiredText(url, "proxy_url"), noProxy);
        }
        catch (ArgumentException ex)
        {
            throw new McpException(ex.Message);
        }
    }
}
