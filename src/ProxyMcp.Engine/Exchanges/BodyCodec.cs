using System.IO.Compression;

namespace ProxyMcp.Engine.Exchanges;

/// <summary>Whole-body decoding and encoding per Content-Encoding, for rules that rewrite bodies.</summary>
public static class BodyCodec
{
    /// <summary>Codings we can both decode and encode.</summary>
    public static bool IsSupported(string? contentEncoding) =>
        string.IsNullOrWhiteSpace(contentEncoding) || Tokens(contentEncoding).All(t => t is "identity" or "gzip" or "x-gzip" or "deflate" or "br" or "zstd");

    /// <summary>The decoded body; <see cref="InvalidDataException"/> when it is not valid for its coding, whichever decoder
    /// noticed (Brotli reports bad input as InvalidOperationException, zstd as its own exception type).</summary>
    public static byte[] Decode(byte[] body, string? contentEncoding)
    {
        try
        {
            return DecodeAll(body, contentEncoding);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ZstdSharp.ZstdException)
        {
            throw new InvalidDataException($"The body is not valid {contentEncoding}: {ex.Message}", ex);
        }
    }

    private static byte[] DecodeAll(byte[] body, string? contentEncoding)
    {
        if (string.IsNullOrWhiteSpace(contentEncoding)) return body;
        var current = body;
        foreach (var coding in Tokens(contentEncoding).Reverse())
        {
            if (coding == "identity") continue;
            using var source = new MemoryStream(current, writable: false);
            using var decoder = BodyPreview.CreateDecoder(source, coding) ?? throw new InvalidDataException($"unsupported content-encoding '{coding}'");
            using var output = new MemoryStream();
            decoder.CopyTo(output);
            current = output.ToArray();
        }
        return current;
    }

    public static byte[] Encode(byte[] body, string? contentEncoding)
    {
        if (string.IsNullOrWhiteSpace(contentEncoding)) return body;
        var current = body;
        foreach (var coding in Tokens(contentEncoding))
        {
            if (coding == "identity") continue;
            using var output = new MemoryStream();
            using (var encoder = CreateEncoder(output, coding)) encoder.Write(current);
            current = output.ToArray();
        }
        return current;
    }

    private static Stream CreateEncoder(Stream output, string coding) => coding switch
    {
        "gzip" or "x-gzip" => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
        "deflate" => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
        "br" => new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true),
        "zstd" => new ZstdSharp.CompressionStream(output, 3, leaveOpen: true),
        _ => throw new InvalidDataException($"unsupported content-encoding '{coding}'"),
    };

    private static IEnumerable<string> Tokens(string contentEncoding) =>
        contentEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t => t.ToLowerInvariant());
}
