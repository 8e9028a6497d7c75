using System.CommandLine;
using ProxyMcp.Cli;

namespace ProxyMcp.Tests.Cli;

public sealed class LauncherTests
{
    private static LaunchOptions Parse(params string[] args)
    {
        LaunchOptions? parsed = null;
        var command = ProxyMcpCommand.Create((options, _) =>
        {
            parsed = options;
            return Task.FromResult(0);
        });
        var result = command.Parse(args);
        Assert.Empty(result.Errors);
        Assert.Equal(0, result.Invoke());
        return parsed!;
    }

    [Fact]
    public void Flags_are_parsed_into_launch_options()
    {
        var options = Parse("--transport", "http", "--port", "4000", "--host", "::1", "--auth-token", "abcdefgh12",
            "--data-dir", "/tmp/x", "--listen-address", "0.0.0.0", "--upstream-insecure", "--max-exchanges", "5",
            "--proxy-port", "8080");

        Assert.Equal("http", options.Transport);
        Assert.Equal(4000, options.HttpPort);
        Assert.Equal("::1", options.HttpHost);
        Assert.Equal("abcdefgh12", options.AuthToken);
        Assert.Equal("/tmp/x", options.DataDirectory);
        Assert.Equal("0.0.0.0", options.ListenAddress);
        Assert.True(options.UpstreamInsecure);
        Assert.Equal(5, options.MaxExchanges);
        Assert.Equal(8080, options.ProxyPort);
        Assert.False(options.ProxyOnly);
    }

    [Fact]
    public void Defaults_follow_the_spec_and_our_safer_choices()
    {
        var options = Parse();

        Assert.Equal(3001, options.HttpPort);
        Assert.Equal("127.0.0.1", options.HttpHost);
        Assert.Equal("127.0.0.1", options.ListenAddress);
        Assert.Equal(10_000, options.MaxExchanges);
        Assert.Null(options.ProxyPort);
        Assert.EndsWith("proxy-mcp", options.DataDirectory);
    }

    [Theory]
    [InlineData("--transport", "sse", "unknown transport 'sse'")]
    [InlineData("--max-exchanges", "0", "--max-exchanges must be at least 1 (got 0)")]
    [InlineData("--listen-address", "example.com", "--listen-address must be an IP address")]
    [InlineData("--port", "70000", "--port must be between 0 and 65535 (got 70000)")]
    [InlineData("--host", "example.com", "--host must be an IP address or localhost")]
    [InlineData("--proxy-only", null, "--proxy-only needs --proxy-port")]
    [InlineData("--upstream-ca", "/nonexistent/ca.pem", "--upstream-ca: cannot read certificates")]
    public void Bad_options_are_refused_at_launch(string flag, string? value, string message)
    {
        var options = value is null ? Parse(flag) : Parse(flag, value);

        Assert.False(Launcher.TryCreateSettings(options, out _, out var error));
        Assert.Contains(message, error);
    }

    [Fact]
    public void Upstream_ca_roots_are_loaded_into_the_settings()
    {
        using var data = new Support.TempDirectory();
        var authority = Engine.Tls.CertificateAuthority.LoadOrCreate(data.Path);

        Assert.True(Launcher.TryCreateSettings(Parse("--upstream-ca", authority.CertificatePath, "--data-dir", data.Path), out var settings, out _));

        Assert.Equal(authority.Certificate.Thumbprint, Assert.Single(settings.ExtraTrustedRoots).Thumbprint);
        authority.Dispose();
    }
}
