using System.Net;

namespace ProxyMcp.Interceptors;

/// <summary>What a target needs to use the running proxy: where it listens and which CA to trust.</summary>
/// <param name="ProxyEndPoint">The explicit listener's bound address and port.</param>
/// <param name="CertificatePem">Our CA certificate, PEM.</param>
/// <param name="CertificateFingerprint">base64 SHA-256 of the CA's SubjectPublicKeyInfo.</param>
public sealed record InterceptionContext(IPEndPoint ProxyEndPoint, string CertificatePem, string CertificateFingerprint)
{
    /// <summary>
    /// The proxy as a local client reaches it: a wildcard bind is reached over loopback; a specific address as it is.
    /// proxy-mcp always said 127.0.0.1, which is wrong for a listener bound to ::1 or to one LAN address.
    /// </summary>
    public string ProxyUrl
    {
        get
        {
            var address = ProxyEndPoint.Address;
            if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) address = IPAddress.Loopback;
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
            return $"http://{host}:{ProxyEndPoint.Port}";
        }
    }
}
