using ProxyMcp.Interceptors.Process;

namespace ProxyMcp.Interceptors.Tests.Process;

public sealed class OutputBufferTests
{
    [Fact]
    public void Keeps_everything_while_under_capacity()
    {
        var buffer = new OutputBuffer(capacity: 10);
        buffer.Append("abc");
        buffer.Append("def");

        Assert.Equal("abcdef", buffer.Tail(100));
        Assert.Equal("ef", buffer.Tail(2));
        Assert.Equal("", buffer.Tail(0));
    }

    [Fact]
    public void Keeps_the_last_capacity_characters_once_it_wraps()
    {
        var buffer = new OutputBuffer(capacity: 10);
        foreach (var chunk in new[] { "0123", "4567", "89ab", "cdef", "g" }) buffer.Append(chunk);

        Assert.Equal("789abcdefg", buffer.Tail(100));
        Assert.Equal("efg", buffer.Tail(3));
        Assert.Equal(17, buffer.TotalWritten);
    }

    [Fact]
    public void A_write_larger_than_the_capacity_keeps_its_end()
    {
        var buffer = new OutputBuffer(capacity: 4);
        buffer.Append("xy");
        buffer.Append("0123456789");

        Assert.Equal("6789", buffer.Tail(10));
        buffer.Append("Z");
        Assert.Equal("789Z", buffer.Tail(10));
    }

    [Fact]
    public void Grows_through_several_sizes_without_losing_order()
    {
        var buffer = new OutputBuffer(capacity: 5000);
        var expected = new System.Text.StringBuilder();
        for (var i = 0; i < 2000; i++)
        {
            var line = i + "\n";
            buffer.Append(line);
            expected.Append(line);
        }

        Assert.Equal(expected.ToString()[^5000..], buffer.Tail(5000));
        Assert.Equal(expected.ToString()[^1024..], buffer.Tail(1024));
    }
}
