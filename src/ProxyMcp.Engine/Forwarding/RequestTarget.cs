using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using ProxyMcp.Engine.Listening;

namespace ProxyMcp.Engine.Forwarding;

/// <summary>Where a request is going: absolute-form URL, or origin-form routed by the tunnel, SNI and Host header.</summary>
internal sealed record RequestTarget(Uri Uri, string Hostname, string Authority, bool IsAbsoluteForm)
{
    /// <summary>
    /// The path and query go to the origin exactly as the client wrote them: no dot segments removed, no escapes decoded
    /// or added (a MITM tool that "fixed" <c>/a/../b</c> or <c>%zz</c> would test a different request).
    /// </summary>
    private static readonly UriCreationOptions AsWritten = Rules.RequestUrl.AsWritten;

    public static RequestTarget? Resolve(HttpContext context, ProxyConnectionFeature connection)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        if (rawTarget.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            || rawTarget.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(rawTarget, AsWritten, out var absolute)) return null;
            return new RequestTarget(absolute, absolute.IdnHost, absolute.Authority, IsAbsoluteForm: true);
        }

        var scheme = connection.IsTls ? "https" : "http";
        var host = context.Request.Host;
        string hostname;
        int? port;
        if (host.HasValue)
        {
            hostname = host.Host;
            port = host.Port;
        }
        else if (connection.TunnelHost is not null || connection.SniHostname is not null)
        {
            hostname = connection.SniHostname ?? connection.TunnelHost!;
            port = null;
        }
        else
        {
            return null;
        }
        // Clients leave the port out of Host when it is the default; the tunnel knows the real one.
        port ??= connection.TunnelPort != 0 ? connection.TunnelPort : null;
        var bareHost = hostname.Trim('[', ']');
        var hostForUri = IPAddress.TryParse(bareHost, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{bareHost}]" : bareHost;
        var defaultPort = scheme == "https" ? 443 : 80;
        var authority = port is null || port == defaultPort ? hostForUri : $"{hostForUri}:{port}";
        var pathAndQuery = rawTarget.StartsWith('/') ? rawTarget : "/" + rawTarget;
        if (!Uri.TryCreate($"{scheme}://{authority}{pathAndQuery}", AsWritten, out var uri)) return null;
        return new RequestTarget(uri, bareHost.ToLowerInvariant(), authority, IsAbsoluteForm: false);
    }

    /// <summary>True when the request names the listener itself, which must never be forwarded (it would loop).</summary>
    public bool PointsAt(IPEndPoint listener, IReadOnlyCollection<IPAddress> localAddresses)
    {
        if (Uri.Port != listener.Port) return false;
        var host = Uri.IdnHost.Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || string.Equals(host, Dns.GetHostName(), StringComparison.OrdinalIgnoreCase))
            return true;
        if (!IPAddress.TryParse(host, out var address)) return false;
        if (IPAddress.IsLoopback(address)) return true;
        if (address.Equals(listener.Address)) return true;
        return (listener.Address.Equals(IPAddress.Any) || listener.Address.Equals(IPAddress.IPv6Any)) && localAddresses.Contains(address);
    }
}
