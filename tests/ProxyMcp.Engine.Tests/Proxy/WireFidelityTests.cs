using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using ProxyMcp.TestSupport;

namespace ProxyMcp.Engine.Tests.Proxy;

/// <summary>
/// What real servers and clients put on the wire, relayed as they wrote it: raw sockets on both sides, so no HTTP library
/// tidies the bytes before the assertions see them.
/// </summary>
public sealed class WireFidelityTests : OriginBehindProxy
{
    private static readonly byte[] Utf8E = [0xC3, 0xA9];
    private static readonly byte[] Latin1E = [0xE9];

    [Fact]
    public async Task Non_ascii_header_bytes_pass_both_ways_unchanged()
    {
        // A raw UTF-8 filename and a Latin-1 value, as some servers send them.
        var responseHead = Concat("HTTP/1.1 200 OK\r\nContent-Disposition: attachment; filename=\"r", Utf8E, "sum\"\r\nX-Latin: caf", Latin1E,
            "\r\nContent-Length: 2\r\n\r\nok");
        await using var origin = RawOrigin.Start(_ => responseHead);

        var response = await SendAsync(Concat($"GET http://127.0.0.1:{origin.Port}/h HTTP/1.1\r\nHost: 127.0.0.1:{origin.Port}\r\nX-Name: caf", Utf8E,
            "\r\nConnection: close\r\n\r\n"));

        Assert.StartsWith("HTTP/1.1 200", Latin1(response));
        Assert.Contains(Latin1(Concat("filename=\"r", Utf8E, "sum\"")), Latin1(response));
        Assert.Contains(Latin1(Concat("X-Latin: caf", Latin1E, "\r\n")), Latin1(response));
        Assert.EndsWith("\r\n\r\nok", Latin1(response));
        Assert.Contains(Latin1(Concat("X-Name: caf", Utf8E, "\r\n")), Latin1(await origin.FirstRequest));
    }

    [Fact]
    public async Task A_repeated_identical_content_length_is_one_length()
    {
        await using var origin = RawOrigin.Start(_ => Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"));

        var response = Latin1(await SendAsync(Encoding.ASCII.GetBytes(
            $"GET http://127.0.0.1:{origin.Port}/d HTTP/1.1\r\nHost: 127.0.0.1:{origin.Port}\r\nConnection: close\r\n\r\n")));

        Assert.StartsWith("HTTP/1.1 200", response);
        Assert.Single(response.Split("\r\n"), line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        Assert.EndsWith("\r\n\r\nhello", response);
    }

    [Theory]
    [InlineData("/echo/a/../b")]
    [InlineData("/echo/a/./b")]
    [InlineData("/echo/a/%2E/b")]
    [InlineData("/echo/%2e%2e/x")]
    [InlineData("/echo?a=%zz&b=%")]
    [InlineData("/%7Euser")]
    [InlineData("/echo?y={2}|3^`&q='\"<>")]
    public async Task The_request_target_reaches_the_origin_as_the_client_wrote_it(string target)
    {
        await using var origin = RawOrigin.Start(_ => Encoding.ASCII.GetBytes("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"));

        var response = Latin1(await SendAsync(Encoding.ASCII.GetBytes(
            $"GET http://127.0.0.1:{origin.Port}{target} HTTP/1.1\r\nHost: 127.0.0.1:{origin.Port}\r\nConnection: close\r\n\r\n")));

        Assert.StartsWith("HTTP/1.1 204", response);
        Assert.StartsWith($"GET {target} HTTP/1.1\r\n", Latin1(await origin.FirstRequest));
        var exchange = await Proxy.WaitForExchangeAsync(e => e.Request.Url.EndsWith(target, StringComparison.Ordinal));
        Assert.Equal(target, exchange.Request.Path);
    }

    [Fact]
    public async Task An_origin_refusing_an_announced_upload_is_heard_before_the_body_is_sent()
    {
        // The origin answers 413 to the head and closes without reading a byte of the 20 MB the client announced.
        await using var origin = RawOrigin.Start(_ => Encoding.ASCII.GetBytes("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 8\r\nConnection: close\r\n\r\ntoo big!"));
        using var client = new TcpClient();
        await client.ConnectAsync(Proxy.EndPoint);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"PUT http://127.0.0.1:{origin.Port}/upload HTTP/1.1\r\nHost: 127.0.0.1:{origin.Port}\r\nContent-Length: 20000000\r\n" +
            "Expect: 100-continue\r\nConnection: close\r\n\r\n"));

        // The client sends nothing more: the proxy must not answer 100 on the origin's behalf, only relay its refusal.
        var response = Latin1(await ReadResponseAsync(stream));

        Assert.StartsWith("HTTP/1.1 413", response);
        Assert.EndsWith("too big!", response);
        Assert.Contains("Expect: 100-continue", Latin1(await origin.FirstRequest), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_tls_client_offering_only_http_1_0_gets_served()
    {
        // curl --http1.0 offers only "http/1.0"; a handshake insisting on h2 or http/1.1 would fail with "no application protocol".
        var port = new Uri(Origin.HttpsUrl).Port;
        using var client = new TcpClient();
        await client.ConnectAsync(Proxy.EndPoint);
        var tunnel = client.GetStream();
        await tunnel.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT localhost:{port} HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 200", Latin1(await ReadHeadAsync(tunnel)));

        await using var tls = new SslStream(tunnel);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [new SslApplicationProtocol("http/1.0")],
            RemoteCertificateValidationCallback = RunningProxy.TrustOnly(Proxy.Authority.Certificate),
        });
        await tls.WriteAsync(Encoding.ASCII.GetBytes("GET /hello HTTP/1.0\r\nHost: localhost\r\n\r\n"));

        var response = Latin1(await ReadResponseAsync(tls));

        Assert.StartsWith("HTTP/1.1 200", response);
        Assert.EndsWith(OriginServer.HelloBody, response);
    }

    private async Task<byte[]> SendAsync(byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Proxy.EndPoint);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        return await ReadToEndAsync(stream);
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, timeout.Token);
        return buffer.ToArray();
    }

    /// <summary>A response head and its Content-Length body (or everything up to the close when it has none).</summary>
    private static async Task<byte[]> ReadResponseAsync(Stream stream)
    {
        var head = await ReadHeadAsync(stream);
        var length = Latin1(head).Split("\r\n")
            .Where(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(line => (int?)int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
        if (length is null) return [.. head, .. await ReadToEndAsync(stream)];
        var body = new byte[length.Value];
        await stream.ReadExactlyAsync(body);
        return [.. head, .. body];
    }

    private static async Task<byte[]> ReadHeadAsync(Stream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0) break;
            head.Add(one[0]);
        }
        return [.. head];
    }

    private static string Latin1(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    private static byte[] Concat(params object[] parts) =>
        [.. parts.SelectMany(part => part is string text ? Encoding.Latin1.GetBytes(text) : (byte[])part)];

    /// <summary>An origin on a raw socket: records each request head and answers with fixed bytes, then closes.</summary>
    private sealed class RawOrigin : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly TaskCompletionSource<byte[]> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Func<byte[], byte[]> _respond;
        private readonly Task _accepting;

        private RawOrigin(Func<byte[], byte[]> respond)
        {
            _respond = respond;
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public static RawOrigin Start(Func<byte[], byte[]> respond) => new(respond);

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        /// <summary>The first request head the origin received.</summary>
        public Task<byte[]> FirstRequest => _first.Task.WaitAsync(TimeSpan.FromSeconds(20));

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var connection = await _listener.AcceptTcpClientAsync();
                    _ = Task.Run(async () =>
                    {
                        using (connection)
                        {
                            var stream = connection.GetStream();
                            var head = await ReadHeadAsync(stream);
                            _first.TrySetResult(head);
                            await stream.WriteAsync(_respond(head));
                        }
                    });
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _accepting;
        }
    }
}
