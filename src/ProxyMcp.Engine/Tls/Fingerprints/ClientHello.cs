using System.Collections.Immutable;

namespace ProxyMcp.Engine.Tls.Fingerprints;

/// <summary>The fields of a TLS ClientHello that fingerprints and routing need, raw and in wire order (GREASE kept).</summary>
/// <param name="LegacyVersion">The <c>legacy_version</c> field (0x0303 even for TLS 1.3 clients).</param>
/// <param name="CipherSuites">Cipher suites in wire order, GREASE and signalling values included.</param>
/// <param name="ExtensionTypes">Extension types in wire order, GREASE included.</param>
/// <param name="SupportedGroups">supported_groups (10) values in wire order; empty when the extension is absent.</param>
/// <param name="EcPointFormats">ec_point_formats (11) bytes; empty when the extension is absent.</param>
/// <param name="SignatureAlgorithms">signature_algorithms (13) values in wire order; empty when absent.</param>
/// <param name="SupportedVersions">supported_versions (43) values in wire order; empty when absent.</param>
/// <param name="ServerName">First host_name entry of server_name (0), or null.</param>
/// <param name="AlpnProtocols">ALPN (16) protocol names, each byte mapped to the char of the same value (Latin-1).</param>
/// <param name="AlpnProtocolsRaw">The same ALPN names as raw bytes.</param>
public sealed record ClientHello(
    ushort LegacyVersion,
    ImmutableArray<ushort> CipherSuites,
    ImmutableArray<ushort> ExtensionTypes,
    ImmutableArray<ushort> SupportedGroups,
    ImmutableArray<byte> EcPointFormats,
    ImmutableArray<ushort> SignatureAlgorithms,
    ImmutableArray<ushort> SupportedVersions,
    string? ServerName,
    ImmutableArray<string> AlpnProtocols,
    ImmutableArray<ImmutableArray<byte>> AlpnProtocolsRaw)
{
    public const ushort ServerNameExtension = 0x0000;
    public const ushort SupportedGroupsExtension = 0x000a;
    public const ushort EcPointFormatsExtension = 0x000b;
    public const ushort SignatureAlgorithmsExtension = 0x000d;
    public const ushort AlpnExtension = 0x0010;
    public const ushort SupportedVersionsExtension = 0x002b;

    /// <summary>RFC 8701 GREASE value: 0x0A0A, 0x1A1A ... 0xFAFA.</summary>
    public static bool IsGrease(ushort value) => (value & 0x0F0F) == 0x0A0A && (value >> 8) == (value & 0xFF);

    public bool HasExtension(ushort type) => ExtensionTypes.AsSpan().Contains(type);
}
