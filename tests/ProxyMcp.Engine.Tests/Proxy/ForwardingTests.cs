using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.TestSupport;

namespace ProxyMcp.Engine.Tests.Proxy;

/// <summary>Real clients through a real proxy to a real origin (HTTP, HTTPS, HTTP/2, WebSocket, big, slow and broken bodies).</summary>
public sealed class ForwardingTests : OriginBehindProxy
{
    [Fact]
    public async Task Absolute_form_http_is_forwarded_and_captured_with_every_field()
    {
        using var client = Proxy.CreateClient();
        using var response = await client.GetAsync($"{Origin.HttpUrl}/hello?x=1");
        Assert.Equal(OriginServer.HelloBody, await response.Content.ReadAsStringAsync());

        var exchange = await Proxy.WaitForExchangeAsync(e => e.Request.Path == "/hello?x=1");
        Assert.True(Guid.TryParse(exchange.Id, out var id) && id.ToString() == exchange.Id);
        Assert.Equal("GET", exchange.Request.Method);
        Assert.Equal($"{Origin.HttpUrl}/hello?x=1", exchange.Request.Url);
        Assert.Equal("127.0.0.1", exchange.Request.Hostname);
        Assert.Equal("HTTP/1.1", exchange.HttpVersion);
        Assert.Equal(200, exchange.Response!.StatusCode);
        Assert.Equal(OriginServer.HelloBody, exchange.Response.BodyPreview);
        Assert.Equal(OriginServer.HelloBody.Length, exchange.Response.BodySize);
        Assert.Equal("test", exchange.Response.Headers.Get("X-Origin"));
        Assert.NotNull(exchange.Duration);
        Assert.NotNull(exchange.Timings.ResponseHeadersMs);
        Assert.Null(exchange.Error);
        Assert.InRange(exchange.Timestamp, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.StartsWith("127.0.0.1:", exchange.ClientEndPoint);
    }

    [Theory]
    [InlineData("PURGE")]
    [InlineData("Report")]
    public async Task Method_tokens_reach_the_origin_exactly_as_sent(string method)
    {
        using var client = Proxy.CreateClient();
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"{Origin.HttpUrl}/echo?m={method}"));
        Assert.Equal(method, EchoResponse.Parse(await response.Content.ReadAsStringAsync()).Method);
        Assert.Equal(method, (await Proxy.WaitForExchangeAsync(e => e.Request.Path == $"/echo?m={method}")).Request.Method);
    }

    [Theory]
    [InlineData("1.1", "HTTP/1.1")]
    [InlineData("2.0", "HTTP/2")]
    public async Task Https_is_intercepted_with_our_ca_and_the_client_version_reaches_theOrigin(string version, string protocol)
    {
        using var client = Proxy.CreateClient(Version.Parse(version));
        using var response = await client.GetAsync($"{Origin.HttpsUrl}/echo?v={version}");
        Assert.Equal(Version.Parse(version), response.Version);
        var echo = EchoResponse.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(protocol, echo.Protocol);
        Assert.Equal("https", echo.Scheme);

        var exchange = await Proxy.WaitForExchangeAsync(e => e.Request.Path == $"/echo?v={version}");
        Assert.Equal(protocol, exchange.HttpVersion);
        Assert.Equal($"{Origin.HttpsUrl}/echo?v={version}", exchange.Request.Url);
        Assert.Equal("localhost", exchange.Tls?.Client?.SniHostname);
    }

    [Fact]
    public async Task Curl_over_http1_and_http2_trusts_our_ca_through_the_mitm()
    {
        if (!CurlRunner.IsAvailable) return;
        foreach (var (flag, expected) in new[] { ("--http1.1", "1.1"), ("--http2", "2") })
        {
            var result = await CurlRunner.RunAsync(["-sS", flag, "--cacert", Proxy.CaPath, "-x", Proxy.Url.ToString(),
                "-w", "\n%{http_version}", $"{Origin.HttpsUrl}/hello"]);
            result.EnsureSuccess();
            Assert.Equal($"{OriginServer.HelloBody}\n{expected}", result.StdoutText);
        }
        // Plain HTTP inside a CONNECT tunnel (curl -p).
        var tunnelled = await CurlRunner.RunAsync(["-sS", "-p", "-x", Proxy.Url.ToString(), $"{Origin.HttpUrl}/hello?tunnel=1"]);
        Assert.Equal(OriginServer.HelloBody, tunnelled.EnsureSuccess().StdoutText);
        var exchange = await Proxy.WaitForExchangeAsync(e => e.Request.Path == "/hello?tunnel=1");
        Assert.Equal(200, exchange.Response!.StatusCode);
    }

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    [InlineData(404)]
    [InlineData(503)]
    public async Task Every_status_passes_through_including_bodiless_ones(int status)
    {
        using var client = Proxy.CreateClient(HttpVersion.Version20);
        using var response = await client.GetAsync($"{Origin.HttpsUrl}/status/{status}");
        Assert.Equal(status, (int)response.StatusCode);
        var exchange = await Proxy.WaitForExchangeAsync(e => e.Request.Path == $"/status/{status}");
        Assert.Equal(status, exchange.Response!.StatusCode);
        Assert.Null(exchange.Error);
    }

    [Fact]
    public async Task Origin_form_requests_are_routed_by_the_host_header()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(Proxy.EndPoint);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /hello?origin-form=1 HTTP/1.1\r\nHost: 127.0.0.1:{Origin.HttpPort}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream);
        var response = await reader.ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 200", response);
        Assert.Contains(OriginServer.HelloBody, response);
    }

    [Fact]
    public async Task Upstream_certificates_are_verified_by_default_and_insecure_mode_turns_that_off()
    {
        await using var strict = await RunningProxy.StartAsync();
        using (var client = strict.CreateClient())
        {
            using var response = await client.GetAsync($"{Origin.HttpsUrl}/hello");
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Contains("TLS", await response.Content.ReadAsStringAsync());
            var exchange = await strict.WaitForExchangeAsync(e => e.Request.Path == "/hello");
            Assert.Equal("tls", exchange.Error!.Code);
        }

        await using var insecure = await RunningProxy.StartAsync(new ProxyOptions { UpstreamInsecure = true });
        using (var client = insecure.CreateClient())
        {
            Assert.Equal(OriginServer.HelloBody, await client.GetStringAsync($"{Origin.HttpsUrl}/hello"));
        }
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("deflate")]
    [InlineData("zstd")]
    public async Task Compressed_bodies_pass_byte_exact_and_previews_are_decoded(string encoding)
    {
        using var client = Proxy.CreateClient();
        var bytes = await client.GetByteArrayAsync($"{Origin.HttpsUrl}/{encoding}");
        Assert.Equal(CompressedContent.EncodedBody(encoding).ToArray(), bytes);

        var exchange = await Proxy.WaitForExchangeAsync(e => e.Request.Path == "/" + encoding);
        Assert.Equal(BodyPreview.Cap(CompressedContent.ExpectedText), exchange.Response!.BodyPreview);
        Assert.Equal(bytes.Length, exchange.Response.BodySize);
    }

    [Fact]
    public async Task Request_bodies_stream_to_theOrigin_intact_and_are_previewed()
    {
        using var client = Proxy.CreateClient(HttpVersion.Version20);
        var small = await client.PostAsync($"{Origin.HttpsUrl}/echo", new StringContent("{\"hello\":\"world\"}", Encoding.UTF8, "application/json"));
        Assert.Equal("{\"hello\":\"world\"}", EchoResponse.Parse(await small.Content.ReadAsStringAsync()).Body);
        var echoed = await Proxy.WaitForExchangeAsync(e => e.Request.Method == "POST" && e.Request.Path == "/echo");
        Assert.Equal("{\"hello\":\"world\"}", echoed.Request.BodyPreview);
        Assert.Equal(17, echoed.Request.BodySize);

        var payload = RandomNumberGenerator.GetBytes(20 * 1024 * 1024);
        var upload = await client.PostAsync($"{Origin.HttpsUrl}/upload", new ByteArrayContent(payload));
        var result = UploadResponse.Parse(await upload.Content.ReadAsStringAsync());
        Assert.Equal(payload.Length, result.Bytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(payload)), result.Sha256.ToLowerInvariant());
        var uploaded = await Proxy.WaitForExchangeAsync(e => e.Request.Path == "/upload");
        Assert.Equal(payload.Length, uploaded.Request.BodySize);
        Assert.True(uploaded.Request.BodyPreview.Length <= BodyPreview.MaxChars + 3);
    }

    [Fact]
    public async Task A_100_megabyte_body_streams_through_byte_exact_and_capture_stays_bounded()
    {
        const long size = 100L * 1024 * 1024;
        using var client = Proxy.CreateClient();
        using var response = await client.GetAsync($"{Origin.HttpsUrl}/bytes?size={size}", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var verifier = new BytePatternVerifier();
        var buffer = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0) verifier.Append(buffer.AsSpan(0, read));
        Assert.Equal(size, verifier.Position);

        var exchange = await Proxy.WaitForExchangeAsync(e => e.Request.Path.StartsWith("/bytes"));
        Assert.Equal(size, exchange.Response!.BodySize);
        Assert.StartsWith("[binary body", exchange.Response.BodyPreview);
    }

    [Fact]
    public async Task Slow_bodies_reach_the_client_as_they_are_produced()
    {
        using var client = Proxy.CreateClient();
        using var response = await client.GetAsync($"{Origin.HttpUrl}/slow-body?chunks=3&interval_ms=1500", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64];
        // The first chunk arrives long before the last one is written (3 s later): nothing waits for the whole body.
        using var firstChunk = new CancellationTokenSource(TimeSpan.FromMilliseconds(1200));
        var read = await body.ReadAsync(buffer, firstChunk.Token);
        Assert.Equal(OriginServer.SlowBodyChunk(0), Encoding.UTF8.GetString(buffer, 0, read));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task A_head_sent_before_its_body_arrives_whole_over_http1(bool https, bool contentLength)
    {
        // The origin sends its head, then the body 150 ms later (as Python's http.server and many apps do): the proxy
        // flushes the head to the client while it waits, and the body must still follow, whole, with no exchange error.
        using var client = Proxy.CreateClient();
        var origin = https ? Origin.HttpsUrl : Origin.HttpUrl;
        var query = $"chunks=2&interval_ms=20&head_delay_ms=150&content_length={(contentLength ? 1 : 0)}";
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync($"{origin}/slow-body?{query}&round={i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(OriginServer.SlowBodyChunk(0) + OriginServer.SlowBodyChunk(1), await response.Content.ReadAsStringAsync());
            var exchange = await Proxy.WaitForExchangeAsync(e => e.Request.Url.StartsWith(origin) && e.Request.Url.EndsWith($"{query}&round={i}"));
            Assert.Null(exchange.Error);
        }
    }

    [Fact]
    public async Task A_slow_body_over_http2_on_both_sides_arrives_whole()
    {
        // The proxy flushes the head to the client early when the origin's first body bytes are late; over HTTP/2 on
        // both sides the body must still arrive whole and the exchange carry no error.
        using var client = Proxy.CreateClient(HttpVersion.Version20);
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync($"{Origin.HttpsUrl}/slow-body?chunks=3&interval_ms=200");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(new Version(2, 0), response.Version);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(OriginServer.SlowBodyChunk(0) + OriginServer.SlowBodyChunk(1) + OriginServer.SlowBodyChunk(2), text);
        }
        var exchange = await Proxy.WaitForExchangeAsync(e => e.Request.Path.StartsWith("/slow-body") && e.HttpVersion == "HTTP/2");
        Assert.Null(exchange.Error);
    }

    [Fact]
    public async Task AnOrigin_slower_than_the_timeout_gives_504()
    {
        await using var impatient = await RunningProxy.StartAsync(new ProxyOptions { UpstreamTimeout = TimeSpan.FromMilliseconds(500) });
        using var client = impatient.CreateClient();
        using var response = await client.GetAsync($"{Origin.HttpUrl}/slow?delay_ms=5000");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var exchange = await impatient.WaitForExchangeAsync(e => e.Request.Path.StartsWith("/slow"));
        Assert.Equal("timeout", exchange.Error!.Code);
    }

    [Fact]
    public async Task A_reset_mid_body_reaches_the_client_as_a_broken_response_and_is_recorded()
    {
        using var client = Proxy.CreateClient();
        using var response = await client.GetAsync($"{Origin.HttpUrl}/reset", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            await body.CopyToAsync(Stream.Null);
        });
        var exchange = await Proxy.WaitForExchangeAsync(e => e.Request.Path == "/reset");
        Assert.Equal(ExchangeErrorKind.ResponseBodyFromOrigin, exchange.Error!.Kind);
        Assert.InRange(exchange.Response!.BodySize, 1, OriginServer.ResetSentLength);
        Assert.True(Proxy.Engine.IsRunning);
    }

    [Theory]
    [InlineData(false, "1.1")]
    [InlineData(true, "1.1")]
    [InlineData(true, "2.0")]
    public async Task WebSockets_are_relayed_end_to_end(bool secure, string version)
    {
        using var socket = new ClientWebSocket();
        socket.Options.HttpVersion = Version.Parse(version);
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            Proxy = new WebProxy(Proxy.Url),
            UseProxy = true,
            SslOptions = { RemoteCertificateValidationCallback = RunningProxy.TrustOnly(Proxy.Authority.Certificate) },
        });
        var uri = new Uri(secure ? Origin.WssUrl : Origin.WsUrl);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket.ConnectAsync(uri, invoker, timeout.Token);

        foreach (var message in new[] { "hello", new string('x', 100_000) })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, timeout.Token);
            var received = new MemoryStream();
            var buffer = new byte[16 * 1024];
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, timeout.Token);
                received.Write(buffer, 0, result.Count);
            } while (!result.EndOfMessage);
            Assert.Equal(message, Encoding.UTF8.GetString(received.ToArray()));
        }
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        var exchange = await Proxy.WaitForExchangeAsync(e => e.WebSocket);
        Assert.Equal(version == "2.0" ? 200 : 101, exchange.Response!.StatusCode);
        Assert.True(exchange.Request.BodySize > 100_000);
        Assert.True(exchange.Response.BodySize > 100_000);
        // The tap keeps the first 64 KiB of frames: the preview says so and shows the message it saw, not frame bytes.
        foreach (var preview in new[] { exchange.Request.BodyPreview, exchange.Response.BodyPreview })
        {
            Assert.StartsWith("[websocket: 1 message in the first 65536 of ", preview);
            Assert.Contains("\nhello\nxxxxxxxxxx", preview);
        }
    }

    [Theory]
    [InlineData(false, "1.1")]
    [InlineData(true, "1.1")]
    [InlineData(true, "2.0")]
    public async Task WebSocket_previews_are_the_unmasked_messages_of_each_direction(bool secure, string version)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var socket = await ConnectWebSocketAsync(secure, version, deflate: false, timeout.Token);
        await socket.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
        await ReceiveMessageAsync(socket, timeout.Token);
        await socket.SendAsync(new byte[] { 1, 2, 0, 3 }, WebSocketMessageType.Binary, true, timeout.Token);
        await ReceiveMessageAsync(socket, timeout.Token);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        var exchange = await Proxy.WaitForExchangeAsync(e => e.WebSocket);
        // Frames on the wire: client frames carry a 4-byte mask (hello 2+4+5, binary 2+4+4, close 2+4+2+4), the origin's do not.
        Assert.Equal(33, exchange.Request.BodySize);
        Assert.Equal(21, exchange.Response!.BodySize);
        Assert.Equal("[websocket: 2 messages in 33 bytes of frames]\nhello\n[binary message, 4 bytes]\n[close 1000 done]",
            exchange.Request.BodyPreview);
        Assert.Equal("[websocket: 2 messages in 21 bytes of frames]\nhello\n[binary message, 4 bytes]\n[close 1000 done]",
            exchange.Response.BodyPreview);
    }

    [Fact]
    public async Task Permessage_deflate_messages_are_inflated_in_the_previews()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var socket = await ConnectWebSocketAsync(secure: false, "1.1", deflate: true, timeout.Token);
        // The same text twice: with context takeover the second message is only a back-reference into the first.
        var text = string.Concat(Enumerable.Repeat("compress me ", 20));
        for (var i = 0; i < 2; i++)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
            Assert.Equal(text, Encoding.UTF8.GetString(await ReceiveMessageAsync(socket, timeout.Token)));
        }
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);

        var exchange = await Proxy.WaitForExchangeAsync(e => e.WebSocket);
        Assert.Contains("permessage-deflate", exchange.Response!.Headers.Get("Sec-WebSocket-Extensions"));
        Assert.True(exchange.Request.BodySize < 2 * text.Length, "the frames were not compressed");
        foreach (var preview in new[] { exchange.Request.BodyPreview, exchange.Response.BodyPreview })
            Assert.EndsWith($" bytes of frames]\n{text}\n{text}\n[close 1000]", preview);
    }

    private async Task<ClientWebSocket> ConnectWebSocketAsync(bool secure, string version, bool deflate, CancellationToken cancel)
    {
        var socket = new ClientWebSocket();
        socket.Options.HttpVersion = Version.Parse(version);
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        if (deflate) socket.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            Proxy = new WebProxy(Proxy.Url),
            UseProxy = true,
            SslOptions = { RemoteCertificateValidationCallback = RunningProxy.TrustOnly(Proxy.Authority.Certificate) },
        });
        await socket.ConnectAsync(new Uri(secure ? Origin.WssUrl : Origin.WsUrl), invoker, cancel);
        return socket;
    }

    private static async Task<byte[]> ReceiveMessageAsync(WebSocket socket, CancellationToken cancel)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancel);
            received.Write(buffer, 0, result.Count);
        } while (!result.EndOfMessage);
        return received.ToArray();
    }
}
