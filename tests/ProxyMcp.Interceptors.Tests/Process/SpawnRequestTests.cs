using ProxyMcp.Interceptors.Process;

namespace ProxyMcp.Interceptors.Tests.Process;

public sealed class SpawnRequestTests
{
    [Theory]
    [InlineData("", "command must not be empty")]
    [InlineData("  ", "command must not be empty")]
    [InlineData("a\0b", "command must not contain NUL characters")]
    public void Rejects_unusable_commands(string command, string message)
    {
        var e = Assert.Throws<InterceptorException>(() => new SpawnRequest(command).Validate());
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Rejects_arguments_with_nul()
    {
        var e = Assert.Throws<InterceptorException>(() => new SpawnRequest("echo", ["ok", "bad\0"]).Validate());
        Assert.Equal("args[1] must not contain NUL characters", e.Message);
    }

    [Theory]
    [InlineData("", "x", "env names must not be empty")]
    [InlineData("A=B", "x", "env name 'A=B' must not contain '=' or NUL")]
    [InlineData("A\0", "x", "env name 'A\\0' must not contain '=' or NUL")]
    [InlineData("A", "x\0", "env value of 'A' must not contain NUL characters")]
    public void Rejects_environment_entries_a_process_cannot_hold(string name, string value, string message)
    {
        var e = Assert.Throws<InterceptorException>(() =>
            new SpawnRequest("echo", Environment: new Dictionary<string, string> { [name] = value }).Validate());
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Accepts_an_ordinary_request()
    {
        new SpawnRequest("curl", ["-sS", "https://example.test/ a b"], "/tmp", new Dictionary<string, string> { ["A_B"] = "c=d e" }).Validate();
    }
}
