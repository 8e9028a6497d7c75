using System.IO.Compression;
using System.Text;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Engine.Tests.Exchanges;

public sealed class BodyPreviewTests
{
    private static readonly string Text = string.Concat(Enumerable.Repeat("compressible text é✓ ", 600));

    [Theory]
    [InlineData("gzip")]
    [InlineData("x-gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    [InlineData("zstd")]
    public void Decodes_each_content_encoding(string coding)
    {
        var encoded = Encode(Encoding.UTF8.GetBytes(Text), coding);
        var preview = BodyPreview.Create(encoded, coding, "text/plain", complete: true);
        Assert.Equal(Text[..BodyPreview.MaxChars] + "...", preview);
    }

    [Fact]
    public void Decodes_a_chain_of_codings_in_reverse_order()
    {
        var encoded = Encode(Encode(Encoding.UTF8.GetBytes("chained"), "gzip"), "br");
        Assert.Equal("chained", BodyPreview.Create(encoded, "gzip, br", null, complete: true));
    }

    [Fact]
    public void Decodes_a_truncated_prefix_as_far_as_it_goes()
    {
        var random = new Random(7);
        var words = Enumerable.Range(0, 20_000).Select(_ => random.Next(100_000).ToString());
        var body = Encoding.UTF8.GetBytes(string.Join(' ', words));
        var encoded = Encode(body, "gzip");
        var prefix = encoded.AsSpan(0, encoded.Length / 2);
        var preview = BodyPreview.Create(prefix, "gzip", "text/plain", complete: false);
        Assert.Equal(BodyPreview.MaxChars + 3, preview.Length);
        Assert.StartsWith(Encoding.UTF8.GetString(body, 0, 100), preview);
    }

    [Fact]
    public void Raw_deflate_is_accepted_as_well_as_zlib()
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true))
            deflate.Write(Encoding.UTF8.GetBytes("raw deflate"));
        Assert.Equal("raw deflate", BodyPreview.Create(output.ToArray(), "deflate", null, complete: true));
    }

    [Fact]
    public void Undecodable_bodies_fall_back_to_the_raw_bytes()
    {
        Assert.Equal("not gzip at all", BodyPreview.Create("not gzip at all"u8, "gzip", "text/plain", complete: true));
    }

    [Fact]
    public void Binary_bodies_get_a_marker_instead_of_mojibake()
    {
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D };
        var preview = BodyPreview.Create(png, null, "image/png", complete: true);
        Assert.StartsWith("[binary body", preview);
    }

    [Fact]
    public void Caps_at_4096_chars_and_never_splits_a_surrogate_pair()
    {
        var text = new string('a', BodyPreview.MaxChars - 1) + "😀tail";
        var preview = BodyPreview.Cap(text);
        Assert.Equal(new string('a', BodyPreview.MaxChars - 1) + "...", preview);
    }

    internal static byte[] Encode(byte[] data, string coding)
    {
        using var output = new MemoryStream();
        Stream encoder = coding switch
        {
            "gzip" or "x-gzip" => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "br" => new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "zstd" => new ZstdSharp.CompressionStream(output, 3, leaveOpen: true),
            _ => throw new ArgumentOutOfRangeException(nameof(coding)),
        };
        using (encoder) encoder.Write(data);
        return output.ToArray();
    }
}
