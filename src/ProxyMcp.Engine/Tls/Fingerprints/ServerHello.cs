using System.Collections.Immutable;

namespace ProxyMcp.Engine.Tls.Fingerprints;

/// <summary>The fields of a TLS ServerHello (or TLS 1.3 HelloRetryRequest) that JA3S and connection details need.</summary>
/// <param name="LegacyVersion">The <c>legacy_version</c> field (0x0303 for TLS 1.3, which uses supported_versions).</param>
/// <param name="CipherSuite">The selected cipher suite.</param>
/// <param name="CompressionMethod">The selected compression method (0 in practice).</param>
/// <param name="ExtensionTypes">Extension types in wire order.</param>
/// <param name="SelectedVersion">The supported_versions (43) value, present for TLS 1.3.</param>
/// <param name="Alpn">
/// The protocol selected through ALPN (16) when the server says so here: TLS 1.2 only, TLS 1.3 sends it encrypted.
/// </param>
/// <param name="IsHelloRetryRequest">True when the random is the RFC 8446 HelloRetryRequest constant.</param>
public sealed record ServerHello(
    ushort LegacyVersion,
    ushort CipherSuite,
    byte CompressionMethod,
    ImmutableArray<ushort> ExtensionTypes,
    ushort? SelectedVersion,
    string? Alpn,
    bool IsHelloRetryRequest)
{
    /// <summary>The version in force: supported_versions when present, else <see cref="LegacyVersion"/>.</summary>
    public ushort NegotiatedVersion => SelectedVersion ?? LegacyVersion;

    /// <summary>Display name of <see cref="NegotiatedVersion"/> ("TLSv1.3"), null when unknown.</summary>
    public string? Protocol => TlsNames.ProtocolName(NegotiatedVersion);

    /// <summary>IANA name of <see cref="CipherSuite"/> ("TLS_AES_128_GCM_SHA256"), null when unknown.</summary>
    public string? CipherName => TlsNames.CipherSuiteName(CipherSuite);
}
