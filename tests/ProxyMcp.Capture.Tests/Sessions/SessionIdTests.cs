using ProxyMcp.Capture.Sessions;

namespace ProxyMcp.Capture.Tests.Sessions;

public sealed class SessionIdTests
{
    [Fact]
    public void New_ids_have_the_proxy_mcp_shape_and_utc_time()
    {
        var id = SessionId.New(new DateTimeOffset(2026, 1, 1, 10, 0, 0, TimeSpan.FromHours(2)));
        Assert.StartsWith("20260101080000_", id);
        Assert.True(SessionId.IsValid(id));
        Assert.Equal(23, id.Length);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("..")]
    [InlineData("/etc")]
    [InlineData("/tmp/20260101100000_k3j2h1g0")]
    [InlineData("20260101100000_k3j2h1g0/../../etc")]
    [InlineData("20260101100000_k3j2h1g0/..")]
    [InlineData("20260101100000_../x")]
    [InlineData("..\\20260101100000_k3j2h1g0")]
    [InlineData("20260101100000_K3J2")]
    [InlineData("20260101100000_k3j2h1g0x")]
    [InlineData("20260101100000_")]
    [InlineData("")]
    [InlineData(" 20260101100000_k3j2")]
    [InlineData("20260101100000_k3j2\n")]
    [InlineData("20260101100000_k3j2\0")]
    public void Rejects_anything_that_is_not_an_id(string id)
    {
        Assert.False(SessionId.IsValid(id));
        var error = Assert.Throws<SessionException>(() => SessionId.Validate(id));
        Assert.Contains("Invalid session id", error.Message);
    }
}
