using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Proxy;
using ProxyMcp.Results;

namespace ProxyMcp.Tools;

/// <summary>proxy_start, proxy_stop, proxy_status, proxy_get_ca_cert (spec 5.1).</summary>
[McpServerToolType]
public sealed class LifecycleTools(ProxyRuntime runtime)
{
    [McpServerTool(Name = "proxy_start")]
    [Description("Start the HTTP/HTTPS MITM proxy (the CA is created on first use and kept in the data directory). " +
                 "Route clients through the returned url and trust the CA from proxy_get_ca_cert to see HTTPS traffic.")]
    public async Task<CallToolResult> StartAsync(
        [Description("Port to listen on; 0 or omitted lets the OS choose a free port.")] [Range(0, 65535)] double port = 0,
        [Description("IP address to bind, e.g. 127.0.0.1 (default, this machine only) or 0.0.0.0 (reachable by other devices).")]
        string? listen_address = null,
        [Description("Skip verification of origin TLS certificates (default: the server's --upstream-insecure setting).")]
        bool? insecure_upstream = null,
        [Description("Also start recording a persistent session (see proxy_session_start).")] bool persistence_enabled = false,
        [Description("Session name when persistence is on.")] string? session_name = null,
        [Description("Session capture profile: preview (default) or full.")] [AllowedValues("preview", "full")] string? capture_profile = "preview",
        [Description("Session storage root (sticky for the rest of the process).")] string? storage_dir = null,
        [Description("Session disk cap in MB (default 1024).")] double max_disk_mb = Capture.Sessions.SessionStartOptions.DefaultMaxDiskMb,
        CancellationToken cancellationToken = default)
    {
        // Checked before starting (even with persistence off: a typo is still a mistake worth reporting), so a bad
        // session argument does not leave a proxy running behind an error.
        var sessionOptions = SessionTools.StartOptions(session_name, capture_profile, storage_dir, max_disk_mb);
        var session = persistence_enabled ? sessionOptions : null;
        var request = new ProxyStart
        {
            Port = ToolArguments.Integer(port, "port", 0, 65535),
            ListenAddress = ToolArguments.OptionalIpAddress(listen_address, "listen_address"),
            UpstreamInsecure = insecure_upstream,
        };
        var endPoint = await runtime.StartAsync(request, cancellationToken);
        string? sessionError = null;
        if (session is not null)
        {
            // As in proxy-mcp the proxy stays up if the session cannot start; unlike it, the result says so
            // instead of an error that reads as if the proxy had failed (weakness 27).
            try
            {
                await runtime.Sessions.Recorder.StartAsync(session, cancellationToken);
            }
            catch (Capture.Sessions.SessionException e)
            {
                sessionError = e.Message;
            }
        }
        var result = StartJson.Build(endPoint, runtime.GetOrCreateAuthority(), runtime);
        if (sessionError is not null) result["persistenceError"] = sessionError;
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_stop")]
    [Description("Stop the proxy. Captured traffic, the CA and the last port are kept.")]
    public async Task<CallToolResult> StopAsync(CancellationToken cancellationToken = default)
    {
        await runtime.StopAsync(cancellationToken);
        var result = ToolResult.Success();
        result["message"] = "Proxy stopped. Traffic and cert retained.";
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_status", ReadOnly = true)]
    [Description("Whether the proxy runs, its port and url, the CA fingerprint and how much traffic is held.")]
    public CallToolResult Status()
    {
        var result = ToolResult.Success();
        foreach (var (key, value) in StatusJson.Build(runtime)) result[key] = value?.DeepClone();
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_get_ca_cert", ReadOnly = true)]
    [Description("The proxy's CA certificate (PEM) and its SPKI SHA-256 fingerprint, to install as a trusted root on clients. Works before the first start.")]
    public CallToolResult GetCaCert(
        [Description("What to include: pem, fingerprint or both (default).")] [AllowedValues("pem", "fingerprint", "both")]
        string? format = "both")
    {
        var choice = ToolArguments.OptionalChoice(format, "format", "pem", "fingerprint", "both") ?? "both";
        var authority = runtime.GetOrCreateAuthority();
        var result = ToolResult.Success();
        if (choice != "fingerprint") result["certPem"] = authority.CertificatePem;
        if (choice != "pem") result["fingerprint"] = authority.SpkiSha256Base64;
        result["certPath"] = authority.CertificatePath;
        result["instructions"] =
            "Save the PEM as a .crt file, copy it to the device and install it as a trusted CA certificate " +
            "(or pass the fingerprint to Chromium's --ignore-certificate-errors-spki-list).";
        return ToolResult.Ok(result);
    }
}
