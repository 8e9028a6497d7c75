using ProxyMcp.Interceptors.Browser;

namespace ProxyMcp.Interceptors.Tests.Browser;

public sealed class DestinationCaptureTests
{
    [Fact]
    public void Matches_the_host_and_its_subdomains_only()
    {
        var capture = new DestinationCapture("example.com", "browser_1_1");

        Assert.True(capture.Matches(Exchanges.Create("https://example.com/")));
        Assert.True(capture.Matches(Exchanges.Create("https://cdn.EXAMPLE.com/")));
        Assert.False(capture.Matches(Exchanges.Create("https://notexample.com/")));
        Assert.False(capture.Matches(Exchanges.Create("https://example.com.evil.test/")));
        Assert.True(capture.Matches(Exchanges.Create("https://example.com/", clientTarget: "browser_1_1")));
        Assert.False(capture.Matches(Exchanges.Create("https://example.com/", clientTarget: "proc_5")));
        Assert.True(new DestinationCapture("", null).Matches(Exchanges.Create("https://anything.test/")));
        Assert.True(new DestinationCapture("[::1]", null).Matches(Exchanges.Create("http://[::1]:8080/")));
    }

    [Fact]
    public async Task Waits_for_the_first_match_fed_by_the_capture_event()
    {
        var capture = new DestinationCapture("example.com", null);
        Assert.False(await capture.WaitForFirstAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None));

        var waiting = capture.WaitForFirstAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        capture.Offer(Exchanges.Create("https://other.test/"));
        Assert.False(waiting.IsCompleted);
        var match = Exchanges.Create("https://www.example.com/");
        capture.Offer(match);

        Assert.True(await waiting);
        Assert.Equal([match], capture.Matched);
        Assert.True(await capture.WaitForFirstAsync(TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public void Origins_and_hosts_of_page_urls()
    {
        Assert.Equal("https://example.com", PageOrigin.Of("https://Example.com/a?b"));
        Assert.Equal("http://localhost:8080", PageOrigin.Of("http://localhost:8080/"));
        Assert.Equal("http://[::1]:81", PageOrigin.Of("http://[::1]:81/"));
        Assert.Null(PageOrigin.Of("about:blank"));
        Assert.Null(PageOrigin.Of("data:text/html,hi"));
        Assert.Equal("", PageOrigin.HostOf("about:blank"));
        Assert.Equal("example.com", PageOrigin.HostOf("https://EXAMPLE.com/"));
        Assert.Null(PageOrigin.HostOf("not a url"));
    }
}
