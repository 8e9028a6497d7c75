using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Proxy;
using ProxyMcp.Results;

namespace ProxyMcp.Resources;

/// <summary>The fixed resources proxy://status, proxy://ca-cert and proxy://traffic/summary (spec 7).</summary>
[McpServerResourceType]
public sealed class ProxyResources(ProxyRuntime runtime)
{
    public const string StatusUri = "proxy://status";
    public const string CaCertUri = "proxy://ca-cert";
    public const string TrafficSummaryUri = "proxy://traffic/summary";

    [McpServerResource(UriTemplate = StatusUri, Name = "proxy_status", MimeType = "application/json")]
    [Description("Proxy status: the proxy_status tool's object without the status key.")]
    public TextResourceContents Status() => Json(StatusUri, JsonText.Indented(StatusJson.Build(runtime)));

    [McpServerResource(UriTemplate = CaCertUri, Name = "proxy_ca_cert", MimeType = "application/x-pem-file")]
    [Description("The proxy's CA certificate in PEM form (created on first read if it does not exist yet).")]
    public TextResourceContents CaCert() => new()
    {
        Uri = CaCertUri,
        MimeType = "application/x-pem-file",
        Text = runtime.GetOrCreateAuthority().CertificatePem,
    };

    [McpServerResource(UriTemplate = TrafficSummaryUri, Name = "proxy_traffic_summary", MimeType = "application/json")]
    [Description("Summary of the live capture: methods, statuses, top hosts, average duration, TLS fingerprints.")]
    public TextResourceContents TrafficSummaryDocument() =>
        Json(TrafficSummaryUri, JsonText.Indented(TrafficSummary.Build(runtime.Capture.Snapshot())));

    private static TextResourceContents Json(string uri, string text) => new() { Uri = uri, MimeType = "application/json", Text = text };
}
