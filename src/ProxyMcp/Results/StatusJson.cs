using System.Text.Json.Nodes;
using ProxyMcp.Proxy;

namespace ProxyMcp.Results;

/// <summary>The proxy_status object (spec 5.1) and its parts, shared by the tool and the proxy://status resource.</summary>
public static class StatusJson
{
    /// <summary>The status fields without the leading "status" key.</summary>
    public static JsonObject Build(ProxyRuntime runtime)
    {
        var endPoint = runtime.EndPoint;
        var authority = runtime.FindAuthority();
        var upstreams = runtime.UpstreamSnapshot;
        var hostUpstreams = new JsonObject();
        if (upstreams is not null)
        {
            foreach (var (host, proxy) in upstreams.Hosts.OrderBy(h => h.Key, StringComparer.Ordinal))
                hostUpstreams[host] = Tools.Rules.UpstreamTools.Describe(proxy);
        }
        return new JsonObject
        {
            ["running"] = endPoint is not null,
            ["port"] = runtime.LastPort,
            ["url"] = endPoint is null ? null : ProxyAddress.LocalUrl(endPoint.Address, endPoint.Port),
            ["certFingerprint"] = authority?.SpkiSha256Base64,
            ["globalUpstream"] = upstreams?.Global is { } global ? Tools.Rules.UpstreamTools.Describe(global) : null,
            ["hostUpstreams"] = hostUpstreams,
            ["ruleCount"] = runtime.RuleCount,
            ["trafficCount"] = runtime.Capture.Count,
            ["transparentProxy"] = new JsonObject { ["running"] = false, ["port"] = null, ["trafficCount"] = 0 },
            ["persistence"] = Persistence(runtime),
            ["listenAddress"] = runtime.ListenAddress.ToString(),
            ["maxExchanges"] = runtime.Capture.Capacity,
            ["upstreamInsecure"] = runtime.UpstreamInsecure,
            ["caCertPath"] = runtime.CertificatePath,
            ["totalCaptured"] = runtime.Capture.TotalAdded,
        };
    }

    /// <summary>SessionRuntimeStatus (spec 6.8): the recording session's counters, or the idle defaults.</summary>
    public static JsonObject Persistence(ProxyRuntime runtime) =>
        Capture.Sessions.SessionJson.RuntimeStatus(runtime.Sessions.Recorder.Status());
}
