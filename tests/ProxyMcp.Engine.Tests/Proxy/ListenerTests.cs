using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ProxyMcp.Engine.Tests.Proxy;

/// <summary>Listener behaviour that needs no origin: binding, self requests, bad CONNECTs, raw tunnels, unreachable origins.</summary>
public sealed class ListenerTests
{
    [Fact]
    public async Task Binds_to_loopback_on_an_os_chosen_port_by_default()
    {
        await using var proxy = await RunningProxy.StartAsync();
        Assert.Equal(IPAddress.Loopback, proxy.EndPoint.Address);
        Assert.NotEqual(0, proxy.EndPoint.Port);
    }

    [Fact]
    public async Task Bind_failures_are_explained_in_the_proxys_terms()
    {
        var errors = new ErrorRecorder();
        using var logging = LoggerFactory.Create(builder => builder.AddProvider(errors));
        await using var first = await RunningProxy.StartAsync();
        var inUse = await Assert.ThrowsAsync<IOException>(() => RunningProxy.StartAsync(new ProxyOptions { Port = first.EndPoint.Port }, logging));
        Assert.Equal($"Port {first.EndPoint.Port} on 127.0.0.1 is already in use; choose another port, or 0 for a free one.", inUse.Message);
        // 192.0.2.0/24 is reserved for documentation: no machine has it.
        var foreign = await Assert.ThrowsAsync<IOException>(() => RunningProxy.StartAsync(new ProxyOptions { BindAddress = IPAddress.Parse("192.0.2.99") }, logging));
        Assert.StartsWith("Cannot listen on 192.0.2.99: it is not an address of this machine", foreign.Message);
        // Said once, by whoever started the proxy: the listener's host no longer logs it again with a stack trace.
        Assert.Empty(errors.Messages);
    }

    [Fact]
    public async Task A_second_start_is_refused_and_stop_then_start_works()
    {
        await using var proxy = await RunningProxy.StartAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => proxy.Engine.StartAsync(new ProxyOptions()));
        await proxy.Engine.StopAsync();
        Assert.False(proxy.Engine.IsRunning);
        await proxy.Engine.StartAsync(new ProxyOptions());
        Assert.True(proxy.Engine.IsRunning);
    }

    [Fact]
    public async Task Requests_to_the_proxy_itself_get_the_status_page_and_are_never_forwarded()
    {
        await using var proxy = await RunningProxy.StartAsync();
        using var direct = new HttpClient();
        var page = await direct.GetStringAsync(proxy.Url);
        Assert.Contains("ProxyMcp is running", page);
        Assert.Contains(proxy.Authority.SpkiSha256Base64, page);
        Assert.Equal(proxy.Authority.CertificatePem, await direct.GetStringAsync(new Uri(proxy.Url, "/ca.pem")));

        // The same, asked through the proxy as an absolute-form request: answered, not looped.
        using var viaProxy = proxy.CreateClient();
        var looped = await viaProxy.GetAsync($"http://localhost:{proxy.EndPoint.Port}/");
        Assert.Equal(HttpStatusCode.OK, looped.StatusCode);
        Assert.Contains("ProxyMcp is running", await looped.Content.ReadAsStringAsync());
        Assert.Empty(proxy.Exchanges);
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("user@example.test:443")]
    [InlineData("example.test:0")]
    public async Task A_malformed_connect_gets_400(string target)
    {
        await using var proxy = await RunningProxy.StartAsync();
        var response = await SendRawAsync(proxy.EndPoint, $"CONNECT {target} HTTP/1.1\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", response);
    }

    [Fact]
    public async Task A_connect_to_an_impossible_host_name_is_refused_up_front_not_when_the_tunnel_opens()
    {
        var errors = new ErrorRecorder();
        using var logging = LoggerFactory.Create(builder => builder.AddProvider(errors));
        await using var proxy = await RunningProxy.StartAsync(loggerFactory: logging);
        // A 5,000-character label used to get "200 Connection Established" and then, once the silent client was given a
        // raw tunnel, a UriFormatException that Kestrel logged as unhandled.
        var response = await SendRawAsync(proxy.EndPoint, $"CONNECT {new string('a', 5000)}:443 HTTP/1.1\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", response);
        Assert.Empty(errors.Messages);
    }

    [Fact]
    public async Task A_tls_record_that_is_not_a_client_hello_just_closes_the_connection()
    {
        var errors = new ErrorRecorder();
        using var logging = LoggerFactory.Create(builder => builder.AddProvider(errors));
        await using var proxy = await RunningProxy.StartAsync(loggerFactory: logging);
        foreach (var messageType in new byte[] { 0x14, 0x02, 0x0b })
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(proxy.EndPoint);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await stream.WriteAsync("CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n"u8.ToArray());
            var buffer = new byte[256];
            Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(buffer, 0, await stream.ReadAsync(buffer)));
            // A handshake record whose message is not a ClientHello: SslStream cannot pick a certificate for it.
            var body = new byte[300];
            new Random(messageType).NextBytes(body);
            body[0] = messageType;
            await stream.WriteAsync(new byte[] { 0x16, 0x03, 0x01, (byte)(body.Length >> 8), (byte)body.Length }.Concat(body).ToArray());
            Assert.Equal(0, await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20)));
        }
        Assert.Empty(errors.Messages);
        using var client = proxy.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(proxy.Url)).StatusCode);
    }

    /// <summary>Keeps what is logged at Error or above (Kestrel logs an exception escaping a connection there).</summary>
    private sealed class ErrorRecorder : ILoggerProvider, ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Messages { get; } = new();
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state,
            Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) Messages.Enqueue(formatter(state, exception) + " " + exception?.GetType().Name);
        }
        public void Dispose() { }
    }

    [Fact]
    public async Task Non_http_bytes_in_a_tunnel_are_relayed_raw_and_captured_as_a_connect()
    {
        await using var echo = TcpEcho.Start();
        await using var proxy = await RunningProxy.StartAsync();
        using var client = new TcpClient();
        await client.ConnectAsync(proxy.EndPoint);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT 127.0.0.1:{echo.Port} HTTP/1.1\r\nHost: 127.0.0.1:{echo.Port}\r\n\r\n"));
        var head = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 200", head);

        var payload = new byte[] { 0x00, 0x01, 0xFE, 0xFF, 0x42 };
        await stream.WriteAsync(payload);
        var echoed = new byte[payload.Length];
        await stream.ReadExactlyAsync(echoed);
        Assert.Equal(payload, echoed);
        client.Close();

        var exchange = await proxy.WaitForExchangeAsync(e => e.Request.Method == "CONNECT");
        Assert.Equal($"tcp://127.0.0.1:{echo.Port}", exchange.Request.Url);
        Assert.Equal(payload.Length, exchange.Request.BodySize);
        Assert.Equal(payload.Length, exchange.Response!.BodySize);
    }

    [Fact]
    public async Task Passthrough_hosts_are_tunnelled_without_interception()
    {
        await using var echo = TcpEcho.Start();
        await using var proxy = await RunningProxy.StartAsync(new ProxyOptions { PassthroughHosts = ["localhost"] });
        using var client = new TcpClient();
        await client.ConnectAsync(proxy.EndPoint);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT localhost:{echo.Port} HTTP/1.1\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 200", await ReadHeadAsync(stream));
        // A TLS record header would be intercepted for any other host; here it comes back untouched.
        var fakeHello = new byte[] { 0x16, 0x03, 0x01, 0x00, 0x01, 0x01 };
        await stream.WriteAsync(fakeHello);
        var echoed = new byte[fakeHello.Length];
        await stream.ReadExactlyAsync(echoed);
        Assert.Equal(fakeHello, echoed);
        client.Close();
        var exchange = await proxy.WaitForExchangeAsync(e => e.Request.Method == "CONNECT");
        Assert.Equal($"[raw tunnel (passthrough host): {fakeHello.Length} bytes relayed to the origin, not inspected]", exchange.Request.BodyPreview);
        Assert.Equal($"[raw tunnel (passthrough host): {fakeHello.Length} bytes relayed from the origin, not inspected]", exchange.Response!.BodyPreview);
        Assert.Null(exchange.Request.Headers.Get("x-proxymcp-tunnel"));
    }

    [Fact]
    public async Task A_tunnel_to_a_server_that_speaks_first_is_captured_with_the_clients_connect_head()
    {
        using var banner = new TcpListener(IPAddress.Loopback, 0);
        banner.Start();
        var port = ((IPEndPoint)banner.LocalEndpoint).Port;
        var greeting = "220 banner ready\r\n"u8.ToArray();
        var served = Task.Run(async () =>
        {
            using var origin = await banner.AcceptTcpClientAsync();
            var originStream = origin.GetStream();
            await originStream.WriteAsync(greeting);
            await originStream.ReadExactlyAsync(new byte[5]);
        });
        await using var proxy = await RunningProxy.StartAsync();
        using var client = new TcpClient();
        await client.ConnectAsync(proxy.EndPoint);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: Banner-Test/1\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 200", await ReadHeadAsync(stream));
        // The client stays silent until the origin's banner arrives through the tunnel.
        var received = new byte[greeting.Length];
        await stream.ReadExactlyAsync(received);
        Assert.Equal(greeting, received);
        await stream.WriteAsync("QUIT\n"u8.ToArray());
        await served.WaitAsync(TimeSpan.FromSeconds(20));
        client.Close();

        var exchange = await proxy.WaitForExchangeAsync(e => e.Request.Method == "CONNECT");
        Assert.Equal($"127.0.0.1:{port}", exchange.Request.Path);
        Assert.Equal([KeyValuePair.Create("Host", $"127.0.0.1:{port}"), KeyValuePair.Create("User-Agent", "Banner-Test/1")],
            exchange.Request.Headers);
        Assert.Equal(5, exchange.Request.BodySize);
        Assert.Equal("[raw tunnel (server speaks first): 5 bytes relayed to the origin, not inspected]", exchange.Request.BodyPreview);
        Assert.Equal(greeting.Length, exchange.Response!.BodySize);
        Assert.Equal($"[raw tunnel (server speaks first): {greeting.Length} bytes relayed from the origin, not inspected]",
            exchange.Response.BodyPreview);
    }

    [Fact]
    public async Task Unreachable_origins_get_a_502_that_says_why_and_the_proxy_carries_on()
    {
        await using var proxy = await RunningProxy.StartAsync();
        using var client = proxy.CreateClient();

        var refused = await client.GetAsync($"http://127.0.0.1:{ClosedPort()}/x");
        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Contains("refused", await refused.Content.ReadAsStringAsync());
        Assert.Equal("refused", refused.Headers.GetValues("X-ProxyMcp-Error").Single());

        var dns = await client.GetAsync("http://no-such-host.invalid/");
        Assert.Equal(HttpStatusCode.BadGateway, dns.StatusCode);
        Assert.Contains("DNS", await dns.Content.ReadAsStringAsync());

        var refusedExchange = await proxy.WaitForExchangeAsync(e => e.Request.Url.Contains("/x"));
        Assert.Equal("refused", refusedExchange.Error!.Code);
        Assert.Equal(502, refusedExchange.Response!.StatusCode);
        var dnsExchange = await proxy.WaitForExchangeAsync(e => e.Request.Hostname == "no-such-host.invalid");
        Assert.Equal("dns", dnsExchange.Error!.Code);

        Assert.True(proxy.Engine.IsRunning);
    }

    [Fact]
    public async Task Requests_without_any_target_are_answered_400()
    {
        await using var proxy = await RunningProxy.StartAsync();
        var response = await SendRawAsync(proxy.EndPoint, "GET /x HTTP/1.0\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", response);
    }

    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> SendRawAsync(IPEndPoint endPoint, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(endPoint);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        return await ReadHeadAsync(stream);
    }

    internal static async Task<string> ReadHeadAsync(Stream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one) == 0) break;
            head.Append((char)one[0]);
        }
        return head.ToString();
    }
}

/// <summary>A TCP server that echoes every byte back: a stand-in for any non-HTTP protocol.</summary>
internal sealed class TcpEcho : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();

    private TcpEcho(TcpListener listener)
    {
        _listener = listener;
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static TcpEcho Start()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new TcpEcho(listener);
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try { await client.GetStream().CopyToAsync(client.GetStream(), _stop.Token); }
                        catch (Exception ex) when (ex is IOException or OperationCanceledException) { }
                    }
                });
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        return ValueTask.CompletedTask;
    }
}
