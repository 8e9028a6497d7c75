using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;

namespace ProxyMcp.Engine.Tls.Fingerprints;

/// <summary>
/// Parses the ServerHello from the first bytes a server sends (the rest of its flight may follow in the same records).
/// Same contract as <see cref="ClientHelloParser"/>: peek, retry on <see cref="HelloParseStatus.NeedMoreData"/>, never throws.
/// </summary>
public static class ServerHelloParser
{
    private const byte ServerHelloType = 2;
    private const string MessageName = "ServerHello";

    // RFC 8446 4.1.3: SHA-256("HelloRetryRequest").
    private static ReadOnlySpan<byte> HelloRetryRequestRandom =>
    [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ];

    private static readonly HandshakeReassembler.BodyParser<ServerHello> BodyParser = ParseBody;

    public static HelloParseResult<ServerHello> Parse(in ReadOnlySequence<byte> data) =>
        HandshakeReassembler.Parse(data, ServerHelloType, MessageName, BodyParser);

    public static HelloParseResult<ServerHello> Parse(ReadOnlySpan<byte> data) =>
        HandshakeReassembler.Parse(data, ServerHelloType, MessageName, BodyParser);

    internal static ServerHello? ParseBody(ReadOnlySpan<byte> body, out string? reason)
    {
        var reader = new WireReader(body);
        if (!reader.TryReadUInt16(out var legacyVersion) || !reader.TryReadBytes(32, out var random))
        {
            reason = "ServerHello truncated before the random";
            return null;
        }

        if (!reader.TryReadVector8(out var sessionId) || sessionId.Length > 32)
        {
            reason = "malformed legacy_session_id_echo";
            return null;
        }

        if (!reader.TryReadUInt16(out var cipherSuite) || !reader.TryReadUInt8(out var compression))
        {
            reason = "ServerHello truncated before the cipher suite";
            return null;
        }

        var extensionBlock = ReadOnlySpan<byte>.Empty;
        if (reader.Remaining > 0 && (!reader.TryReadVector16(out extensionBlock) || reader.Remaining != 0))
        {
            reason = "extensions block length does not match the ServerHello length";
            return null;
        }

        var extensionCount = WireReader.CountExtensions(extensionBlock);
        if (extensionCount < 0)
        {
            reason = "malformed extension list";
            return null;
        }

        var extensionTypes = extensionCount == 0 ? [] : new ushort[extensionCount];
        ushort? selectedVersion = null;
        string? alpn = null;
        var extensions = new WireReader(extensionBlock);
        for (var i = 0; i < extensionCount; i++)
        {
            extensions.TryReadUInt16(out var type);
            extensions.TryReadVector16(out var data);
            extensionTypes[i] = type;
            var ok = type switch
            {
                ClientHello.SupportedVersionsExtension => TryParseSelectedVersion(data, ref selectedVersion),
                ClientHello.AlpnExtension => TryParseSelectedProtocol(data, ref alpn),
                _ => true,
            };
            if (!ok)
            {
                reason = $"malformed content of extension {type}";
                return null;
            }
        }

        reason = null;
        return new ServerHello(
            legacyVersion,
            cipherSuite,
            compression,
            ImmutableCollectionsMarshal.AsImmutableArray(extensionTypes),
            selectedVersion,
            alpn,
            random.SequenceEqual(HelloRetryRequestRandom));
    }

    private static bool TryParseSelectedVersion(ReadOnlySpan<byte> data, ref ushort? selected)
    {
        var reader = new WireReader(data);
        if (!reader.TryReadUInt16(out var version) || reader.Remaining != 0)
        {
            return false;
        }

        selected ??= version;
        return true;
    }

    private static bool TryParseSelectedProtocol(ReadOnlySpan<byte> data, ref string? selected)
    {
        // RFC 7301 3.1: the server answers with a list holding exactly one name.
        var outer = new WireReader(data);
        if (!outer.TryReadVector16(out var list) || outer.Remaining != 0)
        {
            return false;
        }

        var names = new WireReader(list);
        if (!names.TryReadVector8(out var name) || names.Remaining != 0)
        {
            return false;
        }

        selected ??= Encoding.Latin1.GetString(name);
        return true;
    }
}
