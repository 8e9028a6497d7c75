using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Engine.Tls.Fingerprints;

namespace ProxyMcp.Engine.Tls;

/// <summary>Turns a parsed ClientHello into the client TLS facts every exchange of the connection carries.</summary>
public static class ClientFingerprint
{
    public static ClientTls From(ClientHello hello)
    {
        var ja3 = Ja3.Compute(hello);
        var ja4 = Ja4.Compute(hello);
        var versions = new List<string>();
        IEnumerable<ushort> offered = hello.SupportedVersions.Length > 0 ? hello.SupportedVersions : [hello.LegacyVersion];
        foreach (var version in offered.Where(v => !ClientHello.IsGrease(v)).OrderDescending())
        {
            if (TlsNames.ProtocolName(version) is { } name) versions.Add(name);
        }
        return new ClientTls
        {
            SniHostname = hello.ServerName,
            ClientAlpn = hello.AlpnProtocols.Length > 0 ? hello.AlpnProtocols : null,
            Ja3Fingerprint = ja3.Hash,
            Ja4Fingerprint = ja4.Fingerprint,
            Ja3 = ja3.Text,
            Ja4Raw = ja4.Raw,
            OfferedVersions = versions,
        };
    }
}
