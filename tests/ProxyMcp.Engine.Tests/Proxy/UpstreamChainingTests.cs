using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using ProxyMcp.Engine.Upstream;
using ProxyMcp.TestSupport;

namespace ProxyMcp.Engine.Tests.Proxy;

/// <summary>Chaining through real upstream proxies on loopback: a second ProxyMcp engine (HTTP), a SOCKS5 server, a PAC file.</summary>
public sealed class UpstreamChainingTests : IAsyncLifetime
{
    private OriginServer _origin = null!;
    private RunningProxy _upstream = null!;
    private RunningProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _origin = await OriginServer.StartAsync();
        _upstream = await RunningProxy.StartAsync(new ProxyOptions { ExtraTrustedRoots = [_origin.Certificates.Root] });
        // The front proxy trusts the origin's root (direct use) and the upstream's CA, which re-signs HTTPS when chained.
        _proxy = await RunningProxy.StartAsync(new ProxyOptions { ExtraTrustedRoots = [_origin.Certificates.Root, _upstream.Authority.Certificate] });
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _upstream.DisposeAsync();
        await _origin.DisposeAsync();
    }

    [Fact]
    public async Task Http_and_https_go_through_an_http_upstream_and_clearing_it_applies_at_once()
    {
        await _proxy.Engine.SetGlobalUpstreamAsync(UpstreamProxy.Parse(_upstream.Url.ToString()));
        using var client = _proxy.CreateClient();
        Assert.Equal(OriginServer.HelloBody, await client.GetStringAsync($"{_origin.HttpUrl}/hello?via=http"));
        Assert.Equal(OriginServer.HelloBody, await client.GetStringAsync($"{_origin.HttpsUrl}/hello?via=https"));
        await _upstream.WaitForExchangeAsync(e => e.Request.Path == "/hello?via=http");
        await _upstream.WaitForExchangeAsync(e => e.Request.Path == "/hello?via=https");

        await _proxy.Engine.SetGlobalUpstreamAsync(null);
        Assert.Equal(OriginServer.HelloBody, await client.GetStringAsync($"{_origin.HttpUrl}/hello?via=direct"));
        await _proxy.WaitForExchangeAsync(e => e.Request.Path == "/hello?via=direct");
        Assert.DoesNotContain(_upstream.Exchanges, e => e.Request.Path == "/hello?via=direct");
    }

    [Fact]
    public async Task Socks5_with_credentials_carries_http_https_and_raw_tunnels()
    {
        await using var socks = new Socks5Server(("alice", "p@ss"));
        await _proxy.Engine.SetGlobalUpstreamAsync(UpstreamProxy.Parse($"socks5h://alice:p%40ss@127.0.0.1:{socks.Port}"));
        using var client = _proxy.CreateClient(HttpVersion.Version20);
        Assert.Equal(OriginServer.HelloBody, await client.GetStringAsync($"{_origin.HttpsUrl}/hello?via=socks"));
        Assert.Contains(socks.Connects, c => c.Target == $"localhost:{_origin.HttpsPort}" && c.User == "alice");

        // A raw (non-HTTP) tunnel goes through the SOCKS server too.
        await using var echo = TcpEcho.Start();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_proxy.EndPoint);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT 127.0.0.1:{echo.Port} HTTP/1.1\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 200", await ListenerTests.ReadHeadAsync(stream));
        await stream.WriteAsync(new byte[] { 0, 1, 2, 3 });
        var back = new byte[4];
        await stream.ReadExactlyAsync(back);
        Assert.Equal(new byte[] { 0, 1, 2, 3 }, back);
        Assert.Contains(socks.Connects, c => c.Target == $"127.0.0.1:{echo.Port}");
    }

    [Fact]
    public async Task Per_host_upstreams_win_bypass_lists_go_direct_and_a_dead_upstream_is_named_in_the_502()
    {
        var dead = ListenerTests.ClosedPort();
        await _proxy.Engine.SetGlobalUpstreamAsync(UpstreamProxy.Parse($"http://user:secret@127.0.0.1:{dead}", ["no-proxy.invalid"]));
        await _proxy.Engine.SetHostUpstreamAsync("localhost", UpstreamProxy.Parse(_upstream.Url.ToString()));
        using var client = _proxy.CreateClient();

        Assert.Equal(OriginServer.HelloBody, await client.GetStringAsync($"{_origin.HttpsUrl}/hello?via=host-upstream"));
        await _upstream.WaitForExchangeAsync(e => e.Request.Path == "/hello?via=host-upstream");

        using var failed = await client.GetAsync($"{_origin.HttpUrl}/hello?via=dead");
        Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        var body = await failed.Content.ReadAsStringAsync();
        // The refusal is the upstream proxy's, not the origin's: the body names the hop that failed.
        Assert.Contains($"Connection refused by upstream proxy http://user:****@127.0.0.1:{dead} (on the way to 127.0.0.1:{_origin.HttpPort})", body);
        Assert.DoesNotContain("secret", body);

        await _proxy.Engine.SetGlobalUpstreamAsync(UpstreamProxy.Parse($"http://127.0.0.1:{dead}", ["127.0.0.1"]));
        Assert.Equal(OriginServer.HelloBody, await client.GetStringAsync($"{_origin.HttpUrl}/hello?via=bypass"));
    }

    [Fact]
    public async Task A_pac_file_chooses_the_upstream_per_host()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var pacServer = builder.Build();
        var pac = $$"""
            function FindProxyForURL(url, host) {
              if (host === "localhost") return "PROXY 127.0.0.1:{{_upstream.EndPoint.Port}}";
              return "DIRECT";
            }
            """;
        pacServer.Run(context => context.Response.WriteAsync(pac));
        await pacServer.StartAsync();
        var pacUrl = $"pac+{pacServer.Urls.First()}/proxy.pac";

        await _proxy.Engine.SetGlobalUpstreamAsync(UpstreamProxy.Parse(pacUrl));
        using var client = _proxy.CreateClient();
        Assert.Equal(OriginServer.HelloBody, await client.GetStringAsync($"{_origin.HttpsUrl}/hello?pac=proxied"));
        Assert.Equal(OriginServer.HelloBody, await client.GetStringAsync($"{_origin.HttpUrl}/hello?pac=direct"));
        await _upstream.WaitForExchangeAsync(e => e.Request.Path == "/hello?pac=proxied");
        Assert.DoesNotContain(_upstream.Exchanges, e => e.Request.Path == "/hello?pac=direct");

        await Assert.ThrowsAsync<ArgumentException>(() =>
            _proxy.Engine.SetGlobalUpstreamAsync(UpstreamProxy.Parse($"pac+http://127.0.0.1:{ListenerTests.ClosedPort()}/none.pac")));
    }
}
