using System.Buffers;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// Reading stored raw bodies back as content: undoes the Content-Encoding chain with the engine's decoders
/// (<see cref="BodyPreview.CreateDecoder"/>), tells text from binary, and caps what is loaded.
/// </summary>
public static class BodyDecoding
{
    /// <summary>Bytes probed for a NUL byte to call a body binary (as proxy-mcp's search does).</summary>
    public const int BinaryProbeBytes = 512;

    private static readonly string[] BinaryMediaPrefixes =
    [
        "image/", "audio/", "video/", "font/", "application/octet-stream", "application/zip", "application/gzip",
        "application/pdf", "application/wasm",
    ];

    /// <summary>The media type of a Content-Type value: before ';', trimmed, lower-cased; null when empty.</summary>
    public static string? MediaType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return null;
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var type = (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim().ToLowerInvariant();
        return type.Length == 0 ? null : type;
    }

    /// <summary>Media types never searched or indexed as text (spec 6.6). SVG and the like stay text.</summary>
    public static bool IsBinaryMediaType(string? mediaType)
    {
        if (mediaType is null) return false;
        foreach (var prefix in BinaryMediaPrefixes)
        {
            if (mediaType.StartsWith(prefix, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    public static bool HasNulInProbe(ReadOnlySpan<byte> bytes) => bytes[..Math.Min(bytes.Length, BinaryProbeBytes)].Contains((byte)0);

    /// <summary>
    /// A stream of the decoded content: <paramref name="raw"/> wrapped in one decoder per coding, last applied first.
    /// Null when a coding is unknown (the caller then uses the raw bytes, as proxy-mcp does).
    /// </summary>
    public static Stream? OpenDecoded(Stream raw, string? contentEncoding)
    {
        if (string.IsNullOrWhiteSpace(contentEncoding)) return raw;
        var codings = contentEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var current = raw;
        for (var i = codings.Length - 1; i >= 0; i--)
        {
            var coding = codings[i].ToLowerInvariant();
            if (coding == "identity") continue;
            var next = BodyPreview.CreateDecoder(current, coding);
            if (next is null) return null;
            current = next;
        }
        return current;
    }

    /// <summary>
    /// Loads up to <paramref name="maxBytes"/> of decoded content. A body that cannot be decoded (unknown coding,
    /// corrupt data) comes back raw with <see cref="DecodedBody.DecodeFailed"/> set.
    /// </summary>
    public static DecodedBody Decode(Func<Stream> openRaw, string? contentEncoding, bool alreadyDecoded, long maxBytes)
    {
        if (!alreadyDecoded && !string.IsNullOrWhiteSpace(contentEncoding) && !IsIdentity(contentEncoding))
        {
            using var raw = openRaw();
            using var decoded = OpenDecoded(raw, contentEncoding);
            if (decoded is not null)
            {
                try
                {
                    var (bytes, complete) = ReadCapped(decoded, maxBytes);
                    return new DecodedBody(bytes, complete, DecodeFailed: false);
                }
                catch (Exception ex) when (IsDecodeFailure(ex))
                {
                    // Corrupt or mislabelled: fall through to the raw bytes, as proxy-mcp does.
                }
            }
            using var again = openRaw();
            var (rawBytes, rawComplete) = ReadCapped(again, maxBytes);
            return new DecodedBody(rawBytes, rawComplete, DecodeFailed: true);
        }
        using var plain = openRaw();
        var (plainBytes, plainComplete) = ReadCapped(plain, maxBytes);
        return new DecodedBody(plainBytes, plainComplete, DecodeFailed: false);
    }

    internal static bool IsIdentity(string contentEncoding)
    {
        foreach (var coding in contentEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!coding.Equals("identity", StringComparison.OrdinalIgnoreCase)) return false;
        }
        return true;
    }

    internal static bool IsDecodeFailure(Exception ex) =>
        ex is InvalidDataException or IOException or ZstdSharp.ZstdException or InvalidOperationException or NotSupportedException;

    private static (byte[] Bytes, bool Complete) ReadCapped(Stream stream, long maxBytes)
    {
        var output = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (true)
            {
                var room = maxBytes - output.Length;
                if (room <= 0)
                {
                    // One more byte says whether the cap cut anything.
                    return (output.ToArray(), stream.Read(buffer, 0, 1) == 0);
                }
                var read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, room));
                if (read == 0) return (output.ToArray(), true);
                output.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>Decoded body bytes; <see cref="Complete"/> is false when a cap cut them.</summary>
public sealed record DecodedBody(byte[] Bytes, bool Complete, bool DecodeFailed)
{
    /// <summary>proxy-mcp's test for search: a NUL byte among the first 512.</summary>
    public bool HasNul => BodyDecoding.HasNulInProbe(Bytes);

    /// <summary>Strict text test for export: no NUL in the first bytes and valid UTF-8 throughout, so text round-trips byte for byte.</summary>
    public bool IsText => !BodyDecoding.HasNulInProbe(Bytes) && System.Text.Unicode.Utf8.IsValid(TrimIncompleteTail(Bytes, Complete));

    /// <summary>A cap can cut a multi-byte character in half; that tail is not evidence of binary content.</summary>
    private static ReadOnlySpan<byte> TrimIncompleteTail(byte[] bytes, bool complete)
    {
        ReadOnlySpan<byte> span = bytes;
        if (complete) return span;
        var back = 0;
        while (back < 3 && back < span.Length && (span[^(back + 1)] & 0xC0) == 0x80) back++;
        if (back < span.Length && span[^(back + 1)] >= 0xC0) return span[..^(back + 1)];
        return span;
    }
}
