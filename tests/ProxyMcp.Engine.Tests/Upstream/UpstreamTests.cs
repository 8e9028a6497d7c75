using ProxyMcp.Engine.Upstream;

namespace ProxyMcp.Engine.Tests.Upstream;

public sealed class UpstreamTests
{
    [Theory]
    [InlineData("example.com", "example.com", 443, true)]
    [InlineData("example.com", "api.example.com", 443, true)]
    [InlineData(".example.com", "example.com", 443, true)]
    [InlineData("*.example.com", "a.b.example.com", 80, true)]
    [InlineData("example.com", "badexample.com", 443, false)]
    [InlineData("example.com:8080", "example.com", 8080, true)]
    [InlineData("example.com:8080", "example.com", 443, false)]
    [InlineData("10.0.0.1", "10.0.0.1", 80, true)]
    [InlineData("10.0.0.1", "10.0.0.2", 80, false)]
    [InlineData("::1", "[::1]", 80, true)]
    [InlineData("*", "anything.test", 1, true)]
    public void No_proxy_matches_like_curl(string entry, string host, int port, bool expected)
    {
        Assert.Equal(expected, NoProxyList.Matches([entry], host, port));
    }

    [Fact]
    public void Passwords_are_masked()
    {
        var proxy = UpstreamProxy.Parse("socks5://alice:s3cret@127.0.0.1:1080");
        Assert.DoesNotContain("s3cret", proxy.MaskedUrl);
        Assert.Contains("alice", proxy.MaskedUrl);
        Assert.Equal("http://127.0.0.1:3128", UpstreamProxy.Parse("http://127.0.0.1:3128").MaskedUrl);
    }

    [Theory]
    [InlineData("ftp://host:21", "not supported")]
    [InlineData("not a url", "is not a URL")]
    [InlineData("http://host:3128/path", "must not have a path")]
    public void Bad_proxy_urls_are_rejected(string url, string message)
    {
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => UpstreamProxy.Parse(url)).Message);
    }

    [Fact]
    public void Per_host_upstream_wins_over_global_and_bypass_goes_direct()
    {
        var configuration = new UpstreamConfiguration();
        var selector = new UpstreamSelector(configuration);
        configuration.SetGlobal(UpstreamProxy.Parse("http://global.test:3128", ["internal.test"]));
        configuration.SetHost("Special.TEST", UpstreamProxy.Parse("socks5h://user:pw@socks.test:1080"));

        Assert.Equal(new Uri("http://global.test:3128/"), selector.GetProxy(new Uri("https://www.example.com/")));
        Assert.Equal(new Uri("socks5://socks.test:1080/"), selector.GetProxy(new Uri("https://special.test/")));
        Assert.True(selector.IsBypassed(new Uri("http://api.internal.test/")));
        Assert.Equal("pw", selector.GetCredential(new Uri("socks5://socks.test:1080"), "")!.Password);

        Assert.True(configuration.RemoveHost("special.test"));
        Assert.False(configuration.RemoveHost("special.test"));
        Assert.Equal(new Uri("http://global.test:3128/"), selector.GetProxy(new Uri("https://special.test/")));
        configuration.SetGlobal(null);
        Assert.Null(selector.GetProxy(new Uri("https://www.example.com/")));
    }

    [Fact]
    public void Pac_scripts_choose_per_host_with_the_standard_helpers()
    {
        var pac = new PacScript("""
            function FindProxyForURL(url, host) {
              if (isPlainHostName(host) || dnsDomainIs(host, ".corp.test")) return "DIRECT";
              if (shExpMatch(host, "*.socks.test")) return "SOCKS5 127.0.0.1:1080";
              if (isInNet(host, "10.0.0.0", "255.0.0.0")) return "DIRECT";
              return "PROXY 127.0.0.1:3128; DIRECT";
            }
            """);
        Assert.Null(PacScript.FirstProxy(pac.Evaluate(new Uri("http://intranet/"))));
        Assert.Null(PacScript.FirstProxy(pac.Evaluate(new Uri("https://wiki.corp.test/x"))));
        Assert.Null(PacScript.FirstProxy(pac.Evaluate(new Uri("http://10.1.2.3/"))));
        Assert.Equal(new Uri("socks5://127.0.0.1:1080"), PacScript.FirstProxy(pac.Evaluate(new Uri("https://a.socks.test/"))));
        Assert.Equal(new Uri("http://127.0.0.1:3128"), PacScript.FirstProxy(pac.Evaluate(new Uri("https://www.example.com/"))));
    }

    [Fact]
    public void A_pac_file_without_the_function_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new PacScript("var x = 1;"));
    }
}
