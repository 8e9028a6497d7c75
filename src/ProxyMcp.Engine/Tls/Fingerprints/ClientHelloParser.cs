using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;

namespace ProxyMcp.Engine.Tls.Fingerprints;

/// <summary>
/// Parses the ClientHello from the first bytes a client sends, before TLS termination. The caller peeks (nothing is
/// consumed) and parses again from the start after each read until the result is no longer
/// <see cref="HelloParseStatus.NeedMoreData"/>. Never throws; looks at most at <see cref="MaxInputLength"/> bytes.
/// <para>
/// Strictness: the record layer (content type 22, major version 3, record length 1..2^14, nothing but handshake records
/// until the hello is complete), the hello's own vectors, and the content of the extensions we read (server_name,
/// supported_groups, ec_point_formats, signature_algorithms, ALPN, supported_versions) must be well formed, else
/// <see cref="HelloParseStatus.Invalid"/>. Tolerated, because fingerprints still mean something: a repeated extension
/// (listed twice, first content wins), an empty server_name extension, empty ALPN names, empty lists, and no extension
/// block at all. Other extensions are listed without looking inside. An SSLv2-style hello is
/// <see cref="HelloParseStatus.NotTls"/>.
/// </para>
/// </summary>
public static class ClientHelloParser
{
    /// <summary>Largest ClientHello handshake message accepted (header included).</summary>
    public const int MaxHelloLength = HandshakeReassembler.MaxMessageLength;

    /// <summary>Most input bytes examined (records and their headers).</summary>
    public const int MaxInputLength = HandshakeReassembler.MaxWireLength;

    private const byte ClientHelloType = 1;
    private const string MessageName = "ClientHello";

    private static readonly HandshakeReassembler.BodyParser<ClientHello> BodyParser = ParseBody;

    public static HelloParseResult<ClientHello> Parse(in ReadOnlySequence<byte> data) =>
        HandshakeReassembler.Parse(data, ClientHelloType, MessageName, BodyParser);

    public static HelloParseResult<ClientHello> Parse(ReadOnlySpan<byte> data) =>
        HandshakeReassembler.Parse(data, ClientHelloType, MessageName, BodyParser);

    /// <summary>Parses a ClientHello body (after the 4-byte handshake header); null with a reason when malformed.</summary>
    internal static ClientHello? ParseBody(ReadOnlySpan<byte> body, out string? reason)
    {
        var reader = new WireReader(body);
        if (!reader.TryReadUInt16(out var legacyVersion) || !reader.TrySkip(32))
        {
            reason = "ClientHello truncated before the random";
            return null;
        }

        if (!reader.TryReadVector8(out var sessionId) || sessionId.Length > 32)
        {
            reason = "malformed legacy_session_id";
            return null;
        }

        if (!reader.TryReadVector16(out var cipherBytes) || !WireReader.TryReadUInt16List(cipherBytes, out var ciphers))
        {
            reason = "malformed cipher_suites";
            return null;
        }

        if (!reader.TryReadVector8(out _))
        {
            reason = "malformed legacy_compression_methods";
            return null;
        }

        var extensionBlock = ReadOnlySpan<byte>.Empty;
        if (reader.Remaining > 0 && (!reader.TryReadVector16(out extensionBlock) || reader.Remaining != 0))
        {
            reason = "extensions block length does not match the ClientHello length";
            return null;
        }

        var extensionCount = WireReader.CountExtensions(extensionBlock);
        if (extensionCount < 0)
        {
            reason = "malformed extension list";
            return null;
        }

        var extensionTypes = extensionCount == 0 ? [] : new ushort[extensionCount];
        ushort[] groups = [], signatureAlgorithms = [], supportedVersions = [];
        byte[] pointFormats = [];
        string? serverName = null;
        ImmutableArray<string> alpn = [];
        ImmutableArray<ImmutableArray<byte>> alpnRaw = [];
        bool seenGroups = false, seenPointFormats = false, seenSignatures = false, seenVersions = false, seenName = false,
            seenAlpn = false;

        var extensions = new WireReader(extensionBlock);
        for (var i = 0; i < extensionCount; i++)
        {
            extensions.TryReadUInt16(out var type);
            extensions.TryReadVector16(out var data);
            extensionTypes[i] = type;

            // A repeated extension is illegal (RFC 8446 4.2) but still counted by the fingerprints; its content is ignored.
            var ok = type switch
            {
                ClientHello.ServerNameExtension => AlreadySeen(ref seenName) || TryParseServerName(data, out serverName),
                ClientHello.SupportedGroupsExtension => AlreadySeen(ref seenGroups) || TryParseUInt16Vector16(data, out groups),
                ClientHello.EcPointFormatsExtension => AlreadySeen(ref seenPointFormats) || TryParseVector8(data, out pointFormats),
                ClientHello.SignatureAlgorithmsExtension =>
                    AlreadySeen(ref seenSignatures) || TryParseUInt16Vector16(data, out signatureAlgorithms),
                ClientHello.AlpnExtension => AlreadySeen(ref seenAlpn) || TryParseAlpn(data, out alpn, out alpnRaw),
                ClientHello.SupportedVersionsExtension =>
                    AlreadySeen(ref seenVersions) || TryParseUInt16Vector8(data, out supportedVersions),
                _ => true,
            };
            if (!ok)
            {
                reason = $"malformed content of extension {type}";
                return null;
            }
        }

        reason = null;
        return new ClientHello(
            legacyVersion,
            ImmutableCollectionsMarshal.AsImmutableArray(ciphers),
            ImmutableCollectionsMarshal.AsImmutableArray(extensionTypes),
            ImmutableCollectionsMarshal.AsImmutableArray(groups),
            ImmutableCollectionsMarshal.AsImmutableArray(pointFormats),
            ImmutableCollectionsMarshal.AsImmutableArray(signatureAlgorithms),
            ImmutableCollectionsMarshal.AsImmutableArray(supportedVersions),
            serverName,
            alpn,
            alpnRaw);
    }

    /// <summary>True when the flag was already set (the content was parsed before); sets it otherwise.</summary>
    private static bool AlreadySeen(ref bool seen)
    {
        var before = seen;
        seen = true;
        return before;
    }

    private static bool TryParseServerName(ReadOnlySpan<byte> data, out string? hostName)
    {
        hostName = null;
        if (data.IsEmpty)
        {
            return true; // only legal from servers, tolerated: the extension is present, without a name
        }

        var outer = new WireReader(data);
        if (!outer.TryReadVector16(out var list) || outer.Remaining != 0)
        {
            return false;
        }

        var names = new WireReader(list);
        while (names.Remaining > 0)
        {
            if (!names.TryReadUInt8(out var nameType) || !names.TryReadVector16(out var name))
            {
                return false;
            }

            if (nameType == 0 && hostName is null)
            {
                hostName = Encoding.Latin1.GetString(name);
            }
        }

        return true;
    }

    private static bool TryParseUInt16Vector16(ReadOnlySpan<byte> data, out ushort[] values)
    {
        var reader = new WireReader(data);
        values = [];
        return reader.TryReadVector16(out var list) && reader.Remaining == 0 && WireReader.TryReadUInt16List(list, out values);
    }

    private static bool TryParseUInt16Vector8(ReadOnlySpan<byte> data, out ushort[] values)
    {
        var reader = new WireReader(data);
        values = [];
        return reader.TryReadVector8(out var list) && reader.Remaining == 0 && WireReader.TryReadUInt16List(list, out values);
    }

    private static bool TryParseVector8(ReadOnlySpan<byte> data, out byte[] values)
    {
        var reader = new WireReader(data);
        if (!reader.TryReadVector8(out var list) || reader.Remaining != 0)
        {
            values = [];
            return false;
        }

        values = list.ToArray();
        return true;
    }

    private static bool TryParseAlpn(
        ReadOnlySpan<byte> data, out ImmutableArray<string> names, out ImmutableArray<ImmutableArray<byte>> raw)
    {
        names = [];
        raw = [];
        var outer = new WireReader(data);
        if (!outer.TryReadVector16(out var list) || outer.Remaining != 0)
        {
            return false;
        }

        var count = 0;
        var counter = new WireReader(list);
        while (counter.Remaining > 0)
        {
            if (!counter.TryReadVector8(out _))
            {
                return false;
            }

            count++;
        }

        var nameArray = new string[count];
        var rawArray = new ImmutableArray<byte>[count];
        var reader = new WireReader(list);
        for (var i = 0; i < count; i++)
        {
            reader.TryReadVector8(out var name);
            nameArray[i] = Encoding.Latin1.GetString(name);
            rawArray[i] = ImmutableCollectionsMarshal.AsImmutableArray(name.ToArray());
        }

        names = ImmutableCollectionsMarshal.AsImmutableArray(nameArray);
        raw = ImmutableCollectionsMarshal.AsImmutableArray(rawArray);
        return true;
    }
}
