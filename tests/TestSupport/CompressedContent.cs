using System.IO.Compression;
using System.Text;

namespace ProxyMcp.TestSupport;

/// <summary>The known text served by <c>/gzip</c>, <c>/br</c>, <c>/deflate</c> and <c>/zstd</c>, and its encoded forms.</summary>
public static class CompressedContent
{
    public const string Unit = "compressed-hello ";
    public const int Repetitions = 256;

    /// <summary>What every compressed endpoint decodes to (4,352 ASCII bytes).</summary>
    public static readonly string ExpectedText = string.Concat(Enumerable.Repeat(Unit, Repetitions));

    /// <summary>Content-Encoding tokens the origin serves; each is also the endpoint path (<c>/gzip</c>, ...).</summary>
    public static IReadOnlyList<string> Encodings { get; } = ["gzip", "br", "deflate", "zstd"];

    private static readonly byte[] Plain = Encoding.ASCII.GetBytes(ExpectedText);
    private static readonly Dictionary<string, byte[]> Encoded = Encodings.ToDictionary(e => e, Encode);

    /// <summary>The body bytes as sent on the wire for <paramref name="encoding"/>.</summary>
    public static ReadOnlyMemory<byte> EncodedBody(string encoding) => Encoded[encoding];

    private static byte[] Encode(string encoding)
    {
        if (encoding == "zstd")
            return ZstdRawFrame.Wrap(Plain);

        using var output = new MemoryStream();
        using (var compressor = CreateCompressor(encoding, output))
            compressor.Write(Plain);
        return output.ToArray();
    }

    // HTTP "deflate" means the zlib format (RFC 9110 §8.4.1.2), not raw deflate.
    private static Stream CreateCompressor(string encoding, Stream output) => encoding switch
    {
        "gzip" => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
        "br" => new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true),
        "deflate" => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown content encoding."),
    };
}
