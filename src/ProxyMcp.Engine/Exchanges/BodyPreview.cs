using System.IO.Compression;
using System.Text;

namespace ProxyMcp.Engine.Exchanges;

/// <summary>Turns the first bytes of a body into the text preview agents read: decoded per Content-Encoding, capped.</summary>
public static class BodyPreview
{
    /// <summary>Characters kept (UTF-16 code units, as proxy-mcp); longer text gets "..." appended.</summary>
    public const int MaxChars = 4096;

    private const int MaxDecodedBytes = MaxChars * 4 + 4;

    /// <summary>
    /// Builds the preview from a body prefix. <paramref name="complete"/> says whether the prefix is the whole body,
    /// which decides whether an undecodable tail is an error or just where the tap stopped.
    /// </summary>
    public static string Create(ReadOnlySpan<byte> prefix, string? contentEncoding, string? contentType, bool complete)
    {
        if (prefix.IsEmpty) return "";
        var decoded = Decode(prefix, contentEncoding);
        var bytes = decoded ?? prefix.ToArray();
        if (LooksBinary(bytes, contentType))
            return $"[binary body, {(complete ? "" : "at least ")}{prefix.Length} bytes on the wire{(contentType is null ? "" : ", " + contentType)}]";
        return Cap(Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, MaxDecodedBytes)),
            truncated: bytes.Length > MaxDecodedBytes || !complete && bytes.Length >= MaxDecodedBytes);
    }

    /// <summary>Caps text at <see cref="MaxChars"/>, appending "..." when cut.</summary>
    public static string Cap(string text, bool truncated = false)
    {
        if (text.Length > MaxChars)
        {
            var cut = MaxChars;
            if (char.IsHighSurrogate(text[cut - 1])) cut--;
            return string.Concat(text.AsSpan(0, cut), "...");
        }
        return truncated ? text + "..." : text;
    }

    /// <summary>Decodes as much of a (possibly partial) encoded body as the codings allow; null when not encoded.</summary>
    public static byte[]? Decode(ReadOnlySpan<byte> body, string? contentEncoding)
    {
        if (string.IsNullOrWhiteSpace(contentEncoding)) return null;
        var codings = contentEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        byte[] current = body.ToArray();
        var changed = false;
        // Codings are listed in the order applied, so undo them last-first.
        for (var i = codings.Length - 1; i >= 0; i--)
        {
            var coding = codings[i].ToLowerInvariant();
            if (coding is "identity") continue;
            var next = DecodeOne(current, coding);
            if (next is null) return changed ? current : null;
            current = next;
            changed = true;
        }
        return changed ? current : null;
    }

    /// <summary>A stream that decodes <paramref name="encoded"/> per one Content-Encoding token, or null if unknown.</summary>
    public static Stream? CreateDecoder(Stream encoded, string coding) => coding switch
    {
        "gzip" or "x-gzip" => new GZipStream(encoded, CompressionMode.Decompress),
        "deflate" => new DeflateAutoStream(encoded),
        "br" => new BrotliStream(encoded, CompressionMode.Decompress),
        "zstd" => new ZstdSharp.DecompressionStream(encoded),
        _ => null,
    };

    private static byte[]? DecodeOne(byte[] input, string coding)
    {
        using var source = new MemoryStream(input, writable: false);
        using var decoder = CreateDecoder(source, coding);
        if (decoder is null) return null;
        var output = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            while (output.Length < MaxDecodedBytes * 2)
            {
                var read = decoder.Read(buffer, 0, buffer.Length);
                if (read == 0) break;
                output.Write(buffer, 0, read);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or ZstdSharp.ZstdException or InvalidOperationException)
        {
            // A truncated prefix ends mid-block: keep what decoded so far.
        }
        return output.Length == 0 && input.Length > 0 ? null : output.ToArray();
    }

    private static bool LooksBinary(ReadOnlySpan<byte> bytes, string? contentType)
    {
        if (contentType is not null)
        {
            var type = contentType.ToLowerInvariant();
            if (type.StartsWith("text/") || type.Contains("json") || type.Contains("xml") || type.Contains("javascript")
                || type.Contains("x-www-form-urlencoded") || type.Contains("graphql"))
                return false;
        }
        var probe = bytes[..Math.Min(bytes.Length, 512)];
        return probe.Contains((byte)0);
    }

    /// <summary>"deflate" is meant to be zlib-wrapped but some servers send raw deflate; accept both.</summary>
    private sealed class DeflateAutoStream(Stream inner) : Forwarding.ReadOnlyStream
    {
        private Stream? _decoder;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_decoder is null)
            {
                var first = inner.ReadByte();
                if (first < 0) return 0;
                var prefix = new MemoryStream();
                prefix.WriteByte((byte)first);
                inner.CopyTo(prefix);
                prefix.Position = 0;
                // zlib header: CM = 8 in the low nibble and a header checksum divisible by 31.
                var second = prefix.Length > 1 ? prefix.GetBuffer()[1] : 0;
                var zlib = (first & 0x0F) == 8 && ((first << 8) | second) % 31 == 0;
                _decoder = zlib ? new ZLibStream(prefix, CompressionMode.Decompress) : new DeflateStream(prefix, CompressionMode.Decompress);
            }
            return _decoder.Read(buffer, offset, count);
        }


        protected override void Dispose(bool disposing)
        {
            if (disposing) _decoder?.Dispose();
            base.Dispose(disposing);
        }
    }
}
