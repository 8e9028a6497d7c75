using System.Net;
using System.Text.Json.Nodes;
using ProxyMcp.Engine.Tls;
using ProxyMcp.Proxy;

namespace ProxyMcp.Results;

/// <summary>The proxy_start result (spec 5.1) with setup instructions for the address we actually bound.</summary>
public static class StartJson
{
    public static JsonObject Build(IPEndPoint endPoint, CertificateAuthority authority, ProxyRuntime runtime)
    {
        var host = ProxyAddress.HostForDevices(endPoint.Address);
        var hostPort = host.Contains(':') ? $"[{host}]:{endPoint.Port}" : $"{host}:{endPoint.Port}";
        var reach = IPAddress.IsLoopback(endPoint.Address)
            ? " (loopback only: for other devices, start with listen_address 0.0.0.0)"
            : "";

        var result = ToolResult.Success();
        result["port"] = endPoint.Port;
        result["url"] = ProxyAddress.LocalUrl(endPoint.Address, endPoint.Port);
        result["certFingerprint"] = authority.SpkiSha256Base64;
        result["persistence"] = StatusJson.Persistence(runtime);
        result["setup"] = new JsonObject
        {
            ["proxyHost"] = host,
            ["proxyPort"] = endPoint.Port,
            ["instructions"] = new JsonArray(
                $"Set the device or browser HTTP and HTTPS proxy to {hostPort}{reach}.",
                $"Install the CA certificate as trusted to see HTTPS traffic: proxy_get_ca_cert returns it, the PEM file is {authority.CertificatePath}.",
                $"Or for command-line tools: HTTP_PROXY=http://{hostPort} HTTPS_PROXY=http://{hostPort}, with SSL_CERT_FILE or the tool's CA option pointing at the PEM file."),
        };
        result["listenAddress"] = endPoint.Address.ToString();
        result["upstreamInsecure"] = runtime.UpstreamInsecure;
        result["caCertPath"] = authority.CertificatePath;
        return result;
    }
}
