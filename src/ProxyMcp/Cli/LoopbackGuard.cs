using System.Net;
using Microsoft.AspNetCore.Http;

namespace ProxyMcp.Cli;

/// <summary>
/// Keeps web pages away from the HTTP MCP endpoint: a foreign Origin (a page in the user's browser) and a
/// Host that is a DNS name other than localhost (DNS rebinding) are refused. The configured bind host is
/// allowed too, and with a wildcard bind any IP-literal Host (rebinding needs a DNS name).
/// </summary>
public sealed class LoopbackGuard(HttpEndpointOptions endpoint)
{
    private readonly bool _wildcard = endpoint.BindAddress.Equals(IPAddress.Any) || endpoint.BindAddress.Equals(IPAddress.IPv6Any);

    /// <summary>Why the request is refused, or null when it may pass.</summary>
    public string? Reject(HttpRequest request)
    {
        if (!IsAllowedHost(request.Host.Host, allowAnyIp: _wildcard))
        {
            return $"Host '{request.Host.Value}' is not allowed: connect through localhost or 127.0.0.1.";
        }
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            var allowed = Uri.TryCreate(origin, UriKind.Absolute, out var uri)
                && uri.Scheme is "http" or "https"
                && IsAllowedHost(uri.Host, allowAnyIp: false);
            if (!allowed) return $"Origin '{origin}' is not allowed: only loopback origins may call this server.";
        }
        return null;
    }

    private bool IsAllowedHost(string host, bool allowAnyIp)
    {
        if (host.Length == 0) return false;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        if (string.Equals(host.Trim('[', ']'), endpoint.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)) return true;
        if (!IPAddress.TryParse(host.Trim('[', ']'), out var address)) return false;
        return IPAddress.IsLoopback(address) || allowAnyIp;
    }
}
