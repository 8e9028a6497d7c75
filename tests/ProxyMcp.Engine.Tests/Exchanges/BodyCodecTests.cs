using System.Text;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Engine.Tests.Exchanges;

public sealed class BodyCodecTests
{
    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    [InlineData("zstd")]
    [InlineData("gzip, br")]
    public void Encoded_bodies_round_trip(string coding)
    {
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("héllo wörld ", 500)));
        Assert.Equal(text, BodyCodec.Decode(BodyCodec.Encode(text, coding), coding));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    [InlineData("zstd")]
    public void A_body_that_is_not_valid_for_its_coding_is_invalid_data_whatever_the_decoder(string coding)
    {
        // Brotli reports bad input as InvalidOperationException and zstd as ZstdException; callers catch one type.
        var garbage = Encoding.ASCII.GetBytes("this is not " + coding + " at all, just text sent with the wrong header");
        Assert.Throws<InvalidDataException>(() => BodyCodec.Decode(garbage, coding));
    }
}
