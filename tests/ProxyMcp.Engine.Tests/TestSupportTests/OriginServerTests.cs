using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using ProxyMcp.TestSupport;

namespace ProxyMcp.Engine.Tests.TestSupportTests;

/// <summary>The origin's endpoints, hit directly (no proxy), so proxy tests can rely on them.</summary>
public sealed class OriginServerTests(OriginServerFixture fixture) : IClassFixture<OriginServerFixture>, IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(20));

    private OriginServer Origin => fixture.Origin;
    private CancellationToken Token => _timeout.Token;

    public void Dispose() => _timeout.Dispose();

    [Theory]
    [InlineData("http", "HTTP/1.1")]
    [InlineData("https1", "HTTP/1.1")]
    [InlineData("https2", "HTTP/2")]
    [InlineData("h2c", "HTTP/2")]
    public async Task Hello_is_served_on_every_endpoint_with_the_negotiated_protocol(string endpoint, string protocol)
    {
        var (baseUrl, version) = Target(endpoint);
        var marker = Guid.NewGuid().ToString("N");

        using var response = await SendAsync(HttpMethod.Get, $"{baseUrl}/hello?t={marker}", version);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(version, response.Version);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("test", Assert.Single(response.Headers.GetValues("X-Origin")));
        Assert.Equal(OriginServer.HelloBody, await response.Content.ReadAsStringAsync(Token));

        var seen = await Origin.WaitForRequestAsync(r => r.PathAndQuery == $"/hello?t={marker}", cancellationToken: Token);
        Assert.Equal(protocol, seen.Protocol);
        Assert.Equal(new Uri(baseUrl).Port, seen.LocalPort);
        Assert.Equal(new Uri(baseUrl).Authority, seen.Host);
        Assert.Equal(200, seen.StatusCode);
        Assert.Equal(endpoint.StartsWith("https", StringComparison.Ordinal) ? "localhost" : null, seen.TlsServerName);
    }

    [Fact]
    public async Task Echo_reflects_method_path_headers_and_body()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{Origin.HttpsUrl}/echo?x=1&y=two")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent("ping body", Encoding.UTF8, "text/plain"),
        };
        request.Headers.Add("X-Test", "abc");

        using var response = await fixture.Client.SendAsync(request, Token);
        var echo = EchoResponse.Parse(await response.Content.ReadAsStringAsync(Token));

        Assert.Equal("PUT", echo.Method);
        Assert.Equal("/echo", echo.Path);
        Assert.Equal("?x=1&y=two", echo.Query);
        Assert.Equal("HTTP/2", echo.Protocol);
        Assert.Equal("https", echo.Scheme);
        Assert.Equal($"localhost:{Origin.HttpsPort}", echo.Host);
        Assert.Equal("abc", echo.Header("x-test"));
        Assert.Equal("ping body", echo.Body);
        Assert.Equal(9, echo.BodyLength);
    }

    [Fact]
    public async Task Request_log_counts_a_body_the_handler_ignored()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var response = await SendAsync(HttpMethod.Post, $"{Origin.HttpUrl}/hello?t={marker}", HttpVersion.Version11,
            content: new ByteArrayContent(new byte[1000]));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        var seen = await Origin.WaitForRequestAsync(r => r.PathAndQuery.EndsWith(marker, StringComparison.Ordinal), cancellationToken: Token);
        Assert.Equal(1000, seen.BodyLength);
        Assert.Equal("1000", seen.Header("content-length"));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("deflate")]
    public async Task Compressed_endpoints_send_the_encoded_known_text(string encoding)
    {
        using var response = await SendAsync(HttpMethod.Get, $"{Origin.HttpsUrl}/{encoding}", HttpVersion.Version20);
        Assert.Equal(encoding, Assert.Single(response.Content.Headers.ContentEncoding));

        await using var raw = await response.Content.ReadAsStreamAsync(Token);
        await using Stream decoder = encoding switch
        {
            "gzip" => new GZipStream(raw, CompressionMode.Decompress),
            "br" => new BrotliStream(raw, CompressionMode.Decompress),
            _ => new ZLibStream(raw, CompressionMode.Decompress),
        };
        using var reader = new StreamReader(decoder, Encoding.ASCII);
        Assert.Equal(CompressedContent.ExpectedText, await reader.ReadToEndAsync(Token));
    }

    [Fact]
    public async Task Zstd_endpoint_sends_a_zstd_frame()
    {
        using var response = await SendAsync(HttpMethod.Get, $"{Origin.HttpUrl}/zstd", HttpVersion.Version11);
        var body = await response.Content.ReadAsByteArrayAsync(Token);

        Assert.Equal("zstd", Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.Equal([0x28, 0xB5, 0x2F, 0xFD], body[..4]);
    }

    [Fact]
    public async Task Curl_over_https_negotiates_h2_with_the_test_ca_and_decodes_every_encoding()
    {
        if (!CurlRunner.IsAvailable)
            return;
        var caFile = await Origin.Certificates.WriteRootPemToTempFileAsync(Token);
        try
        {
            var hello = await CurlRunner.RunAsync(
                ["-sS", "--cacert", caFile, "--http2", "-w", "\n%{http_version}", $"{Origin.HttpsUrl}/hello"], cancellationToken: Token);
            Assert.Equal($"{OriginServer.HelloBody}\n2", hello.EnsureSuccess().StdoutText);

            var features = (await CurlRunner.RunAsync(["-V"], cancellationToken: Token)).StdoutText;
            foreach (var encoding in CompressedContent.Encodings.Where(e => e != "zstd" || features.Contains("zstd", StringComparison.Ordinal)))
            {
                var decoded = await CurlRunner.RunAsync(["-sS", "--cacert", caFile, "--compressed", $"{Origin.HttpsUrl}/{encoding}"], cancellationToken: Token);
                Assert.Equal(CompressedContent.ExpectedText, decoded.EnsureSuccess().StdoutText);
            }
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    [Fact]
    public async Task Curl_runner_kills_curl_at_the_timeout()
    {
        if (!CurlRunner.IsAvailable)
            return;
        await Assert.ThrowsAsync<TimeoutException>(() =>
            CurlRunner.RunAsync(["-sS", $"{Origin.HttpUrl}/slow?delay_ms=10000"], TimeSpan.FromMilliseconds(300), Token));
    }

    [Fact]
    public async Task Bytes_streams_100_MB_over_h2_and_the_pattern_verifies()
    {
        const long Size = 100L * 1024 * 1024;
        using var response = await SendAsync(HttpMethod.Get, $"{Origin.HttpsUrl}/bytes?size={Size}", HttpVersion.Version20,
            HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync(Token);
        Assert.Equal(Size, await BytePattern.VerifyStreamAsync(body, Token));
    }

    [Fact]
    public async Task Bytes_sets_content_length_on_request_and_honours_odd_chunks()
    {
        using var response = await SendAsync(HttpMethod.Get, $"{Origin.HttpUrl}/bytes?size=100000&chunk=7&length=1", HttpVersion.Version11);

        Assert.Equal(100_000, response.Content.Headers.ContentLength);
        var verifier = new BytePatternVerifier();
        verifier.Append(await response.Content.ReadAsByteArrayAsync(Token));
        Assert.Equal(100_000, verifier.Position);
    }

    [Fact]
    public void Pattern_verifier_names_the_first_wrong_byte()
    {
        var data = new byte[1000];
        BytePattern.Fill(data, 0);
        var verifier = new BytePatternVerifier();
        verifier.Append(data.AsSpan(0, 500));
        data[777] ^= 0xFF;

        var error = Assert.Throws<InvalidDataException>(() => verifier.Append(data.AsSpan(500)));
        Assert.Contains("byte 777", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http")]
    [InlineData("https2")]
    public async Task Upload_reports_size_and_sha256(string endpoint)
    {
        var (baseUrl, version) = Target(endpoint);
        var payload = new byte[3 * 1024 * 1024 + 17];
        new Random(42).NextBytes(payload);

        using var response = await SendAsync(HttpMethod.Post, $"{baseUrl}/upload", version, content: new ByteArrayContent(payload));
        var result = UploadResponse.Parse(await response.Content.ReadAsStringAsync(Token));

        Assert.Equal(payload.Length, result.Bytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(payload)), result.Sha256);
        var seen = await Origin.WaitForRequestAsync(r => r.Path == "/upload" && r.LocalPort == new Uri(baseUrl).Port, cancellationToken: Token);
        Assert.Equal(payload.Length, seen.BodyLength);
    }

    [Fact]
    public async Task Slow_delays_the_headers()
    {
        var clock = Stopwatch.StartNew();
        using var response = await SendAsync(HttpMethod.Get, $"{Origin.HttpUrl}/slow?delay_ms=300", HttpVersion.Version11,
            HttpCompletionOption.ResponseHeadersRead);

        Assert.True(clock.ElapsedMilliseconds >= 280, $"headers after {clock.ElapsedMilliseconds} ms");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Slow_body_sends_headers_first_then_trickles_chunks()
    {
        var clock = Stopwatch.StartNew();
        using var response = await SendAsync(HttpMethod.Get, $"{Origin.HttpsUrl}/slow-body?chunks=3&interval_ms=300", HttpVersion.Version20,
            HttpCompletionOption.ResponseHeadersRead);
        var headersAt = clock.ElapsedMilliseconds;
        var body = await response.Content.ReadAsStringAsync(Token);

        Assert.Equal(OriginServer.SlowBodyChunk(0) + OriginServer.SlowBodyChunk(1) + OriginServer.SlowBodyChunk(2), body);
        Assert.True(clock.ElapsedMilliseconds - headersAt >= 500, $"headers at {headersAt} ms, body done at {clock.ElapsedMilliseconds} ms");
    }

    [Theory]
    [InlineData("http")]
    [InlineData("https2")]
    public async Task Reset_breaks_the_connection_mid_body(string endpoint)
    {
        var (baseUrl, version) = Target(endpoint);
        using var response = await SendAsync(HttpMethod.Get, $"{baseUrl}/reset", version, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(OriginServer.ResetDeclaredLength, response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync(Token);
        var verifier = new BytePatternVerifier();
        var buffer = new byte[16 * 1024];
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            int read;
            while ((read = await body.ReadAsync(buffer, Token)) > 0)
                verifier.Append(buffer.AsSpan(0, read));
        });
        Assert.InRange(verifier.Position, 1, OriginServer.ResetSentLength);
    }

    [Theory]
    [InlineData(201)]
    [InlineData(204)]
    [InlineData(404)]
    [InlineData(503)]
    public async Task Status_returns_the_requested_code(int code)
    {
        using var response = await SendAsync(HttpMethod.Get, $"{Origin.HttpUrl}/status/{code}", HttpVersion.Version11);

        Assert.Equal(code, (int)response.StatusCode);
        Assert.Equal(code == 204 ? "" : $"status {code}\n", await response.Content.ReadAsStringAsync(Token));
    }

    [Fact]
    public async Task Cookies_redirect_and_html_answer_as_documented()
    {
        using var cookies = await SendAsync(HttpMethod.Get, $"{Origin.HttpsUrl}/cookies", HttpVersion.Version20);
        Assert.Equal(2, cookies.Headers.GetValues("Set-Cookie").Count());

        using var redirect = await SendAsync(HttpMethod.Get, $"{Origin.HttpUrl}/redirect", HttpVersion.Version11);
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal("/hello", redirect.Headers.Location?.OriginalString);

        using var html = await SendAsync(HttpMethod.Get, $"{Origin.HttpUrl}/html", HttpVersion.Version11);
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        Assert.Equal(OriginServer.HtmlBody, await html.Content.ReadAsStringAsync(Token));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WebSocket_echoes_text_and_binary_over_ws_and_wss(bool secure)
    {
        using var socket = new ClientWebSocket();
        socket.Options.Proxy = null;
        socket.Options.RemoteCertificateValidationCallback = Origin.Certificates.ValidateServerCertificate;
        await socket.ConnectAsync(new Uri(secure ? Origin.WssUrl : Origin.WsUrl), Token);

        var text = Encoding.UTF8.GetBytes("hello websocket");
        await socket.SendAsync(text, WebSocketMessageType.Text, endOfMessage: true, Token);
        var (textType, textEcho) = await ReceiveMessageAsync(socket);
        Assert.Equal(WebSocketMessageType.Text, textType);
        Assert.Equal(text, textEcho);

        // Larger than the server's receive buffer, so the echo comes back in several frames.
        var binary = new byte[100_000];
        BytePattern.Fill(binary, 0);
        await socket.SendAsync(binary, WebSocketMessageType.Binary, endOfMessage: true, Token);
        var (binaryType, binaryEcho) = await ReceiveMessageAsync(socket);
        Assert.Equal(WebSocketMessageType.Binary, binaryType);
        Assert.Equal(binary, binaryEcho);

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", Token);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    [Fact]
    public async Task Wait_for_request_times_out_listing_what_arrived()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            Origin.WaitForRequestAsync(r => r.Path == "/never", TimeSpan.FromMilliseconds(100), Token));
        Assert.Contains("Seen:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_fails_for_a_client_that_trusts_a_different_root()
    {
        using var stranger = TestCertificates.Create();
        using var client = new HttpClient(OriginServerFixture.CreateHandler(stranger));

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"{Origin.HttpsUrl}/hello", Token));
    }

    private (string BaseUrl, Version Version) Target(string endpoint) => endpoint switch
    {
        "http" => (Origin.HttpUrl, HttpVersion.Version11),
        "https1" => (Origin.HttpsUrl, HttpVersion.Version11),
        "https2" => (Origin.HttpsUrl, HttpVersion.Version20),
        "h2c" => (Origin.H2cUrl, HttpVersion.Version20),
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, null),
    };

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string url, Version version, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, HttpContent? content = null)
    {
        // Exact version: a silent downgrade would hide a broken ALPN or h2c setup.
        using var request = new HttpRequestMessage(method, url) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact, Content = content };
        return await fixture.Client.SendAsync(request, completion, Token);
    }

    private async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveMessageAsync(ClientWebSocket socket)
    {
        using var message = new MemoryStream();
        var buffer = new byte[8 * 1024];
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(), Token);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return (result.MessageType, message.ToArray());
    }
}
