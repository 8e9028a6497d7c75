using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Capture.Live;
using ProxyMcp.Capture.Serialization;
using ProxyMcp.Proxy;
using ProxyMcp.Results;

namespace ProxyMcp.Tools.Tls;

/// <summary>proxy_get_tls_fingerprints, proxy_list_tls_fingerprints, proxy_get_tls_config, proxy_enable_server_tls_capture (spec 5.7).</summary>
[McpServerToolType]
public sealed class TlsTools(ProxyRuntime runtime)
{
    private const int MaxList = 1000;

    [McpServerTool(Name = "proxy_get_tls_fingerprints", ReadOnly = true)]
    [Description("TLS facts of one captured exchange: the client's SNI, ALPN, JA3, JA4 (and JA4_r), offered and negotiated versions; " +
                 "the server's protocol, cipher and JA3S when server TLS capture is on.")]
    public CallToolResult Get([Description("The exchange id.")] string exchange_id)
    {
        var id = ToolArguments.RequiredText(exchange_id, "exchange_id").Trim();
        var exchange = runtime.Capture.Find(id) ?? throw new McpException($"Exchange '{id}' not found");
        var result = ToolResult.Success();
        result["exchange_id"] = id;
        result["hostname"] = exchange.Request.Hostname;
        result["tls"] = exchange.Tls is null ? null : ExchangeJson.TlsNode(exchange.Tls);
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_list_tls_fingerprints", ReadOnly = true)]
    [Description("Distinct client JA3 and JA4 fingerprints in the live capture, most frequent first, with up to 5 hostnames each.")]
    public CallToolResult List(
        [Description("Max entries per list, clamped to 1-1000 (default 20).")] double limit = 20,
        [Description("Case-insensitive substring of the hostname, applied first.")] string? hostname_filter = null)
    {
        var max = ToolArguments.Clamped(limit, "limit", 1, MaxList);
        var (_, exchanges) = runtime.Capture.Query(new TrafficFilter { HostnameContains = ToolArguments.OptionalText(hostname_filter) }, 0, int.MaxValue);
        var withTls = exchanges.Where(e => e.Tls?.Client is not null).ToList();
        var result = ToolResult.Success();
        result["totalExchangesWithTls"] = withTls.Count;
        result["ja3"] = Aggregate(withTls.Select(e => (e.Tls!.Client!.Ja3Fingerprint, e.Request.Hostname)), max);
        result["ja4"] = Aggregate(withTls.Select(e => (e.Tls!.Client!.Ja4Fingerprint, e.Request.Hostname)), max);
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_get_tls_config", ReadOnly = true)]
    [Description("Whether server TLS (JA3S) capture is on; fingerprint spoofing is not available in this build (null).")]
    public CallToolResult Config()
    {
        var result = ToolResult.Success();
        result["serverTlsCaptureEnabled"] = runtime.Engine.ServerTls.Enabled;
        result["ja3SpoofConfig"] = null;
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_enable_server_tls_capture")]
    [Description("Turn capture of origin ServerHellos (protocol, cipher, JA3S) on or off for new origin connections. " +
                 "Works whether or not the proxy runs; proxy_stop turns it off.")]
    public CallToolResult EnableServerCapture([Description("true to capture, false to stop and forget.")] bool enabled)
    {
        runtime.Engine.ServerTls.Enabled = enabled;
        var result = ToolResult.Success();
        result["serverTlsCaptureEnabled"] = enabled;
        return ToolResult.Ok(result);
    }

    /// <summary>Counts per fingerprint, most frequent first (ties keep first-seen order), with up to 5 distinct hostnames.</summary>
    private static JsonArray Aggregate(IEnumerable<(string? Fingerprint, string Hostname)> items, int limit)
    {
        var groups = new Dictionary<string, (int Order, int Count, List<string> Hosts)>(StringComparer.Ordinal);
        foreach (var (fingerprint, hostname) in items)
        {
            if (fingerprint is null) continue;
            if (!groups.TryGetValue(fingerprint, out var group)) group = (groups.Count, 0, []);
            if (group.Hosts.Count < 5 && !group.Hosts.Contains(hostname)) group.Hosts.Add(hostname);
            groups[fingerprint] = (group.Order, group.Count + 1, group.Hosts);
        }
        var list = new JsonArray();
        foreach (var (fingerprint, group) in groups.OrderByDescending(g => g.Value.Count).ThenBy(g => g.Value.Order).Take(limit))
        {
            list.Add(new JsonObject
            {
                ["fingerprint"] = fingerprint,
                ["count"] = group.Count,
                ["hostnames"] = new JsonArray(group.Hosts.Select(h => (JsonNode?)h).ToArray()),
            });
        }
        return list;
    }
}
