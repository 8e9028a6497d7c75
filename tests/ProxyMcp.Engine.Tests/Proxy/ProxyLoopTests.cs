using System.Net;
using System.Net.Sockets;
using System.Text;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Engine.Listening;
using ProxyMcp.Engine.Upstream;
using ProxyMcp.TestSupport;

namespace ProxyMcp.Engine.Tests.Proxy;

/// <summary>
/// Connections that would land on the proxy's own listener are refused with 508 instead of forwarded: before this, a host
/// name resolving to the proxy (or the proxy set as its own upstream) fed each request back in until "Out of memory."
/// </summary>
public sealed class ProxyLoopTests : OriginBehindProxy
{
    [Fact]
    public async Task A_proxy_chained_to_itself_answers_508_and_keeps_serving()
    {
        await Proxy.Engine.SetGlobalUpstreamAsync(UpstreamProxy.Parse(Proxy.Url.ToString()));
        using var client = Proxy.CreateClient();

        using var plain = await client.GetAsync($"{Origin.HttpUrl}/hello?loop=http");
        Assert.Equal((HttpStatusCode)508, plain.StatusCode);
        Assert.Contains("is this proxy itself", await plain.Content.ReadAsStringAsync());
        Assert.Equal("loop", plain.Headers.GetValues("X-ProxyMcp-Error").Single());
        var captured = await Proxy.WaitForExchangeAsync(e => e.Request.Path == "/hello?loop=http");
        Assert.Equal(ExchangeErrorKind.Loop, captured.Error?.Kind);
        Assert.Equal("Loop Detected", captured.Response?.StatusMessage);

        using var secure = await client.GetAsync($"{Origin.HttpsUrl}/hello?loop=https");
        Assert.Equal((HttpStatusCode)508, secure.StatusCode);
        Assert.True(Proxy.Exchanges.Count < 10, $"one exchange per request, not a cascade ({Proxy.Exchanges.Count})");

        await Proxy.Engine.SetGlobalUpstreamAsync(null);
        Assert.Equal(OriginServer.HelloBody, await client.GetStringAsync($"{Origin.HttpUrl}/hello?loop=cleared"));
    }

    [Fact]
    public async Task A_raw_tunnel_to_the_proxy_itself_is_closed_and_captured_as_a_loop()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(Proxy.EndPoint);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var self = $"127.0.0.1:{Proxy.EndPoint.Port}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {self} HTTP/1.1\r\nHost: {self}\r\n\r\n"));
        var head = new byte[256];
        var read = await stream.ReadAsync(head).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(head, 0, read));
        // Neither TLS nor HTTP: a raw tunnel, whose target is the proxy's own port.
        await stream.WriteAsync(new byte[] { 0, 1, 2, 3 });
        Assert.Equal(0, await stream.ReadAsync(head).AsTask().WaitAsync(TimeSpan.FromSeconds(20)));

        var tunnel = await Proxy.WaitForExchangeAsync(e => e.Request.Method == "CONNECT" && e.Request.Url == $"tcp://{self}");
        Assert.Equal(ExchangeErrorKind.Loop, tunnel.Error?.Kind);
        Assert.Equal("loop", tunnel.Error?.Code);
    }

    [Fact]
    public void Own_endpoints_are_recognised_for_a_loopback_and_an_any_address_listener()
    {
        var loopback = new ListenerAddress();
        loopback.Set(new IPEndPoint(IPAddress.Loopback, 8080));
        Assert.True(loopback.IsOwn(new IPEndPoint(IPAddress.Loopback, 8080)));
        Assert.True(loopback.IsOwn(new IPEndPoint(IPAddress.Loopback.MapToIPv6(), 8080)));
        Assert.False(loopback.IsOwn(new IPEndPoint(IPAddress.Loopback, 8081)));
        Assert.False(loopback.IsOwn(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 8080)), "another service on another loopback address");

        var any = new ListenerAddress();
        any.Set(new IPEndPoint(IPAddress.Any, 8080));
        Assert.True(any.IsOwn(new IPEndPoint(IPAddress.Parse("127.0.0.5"), 8080)));
        Assert.True(any.IsOwn(new IPEndPoint(IPAddress.IPv6Loopback, 8080)));
        Assert.False(any.IsOwn(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 8080)), "a remote machine");
        Assert.False(new ListenerAddress().IsOwn(new IPEndPoint(IPAddress.Loopback, 8080)), "a stopped listener owns nothing");
    }
}
