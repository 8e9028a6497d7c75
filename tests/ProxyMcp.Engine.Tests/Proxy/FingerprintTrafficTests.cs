using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ProxyMcp.Engine.Tests.Tls;
using ProxyMcp.Engine.Tls.Fingerprints;
using ProxyMcp.TestSupport;

namespace ProxyMcp.Engine.Tests.Proxy;

/// <summary>Fingerprints of real clients through the real proxy, checked against tshark on the same client's hello.</summary>
public sealed class FingerprintTrafficTests : OriginBehindProxy
{
    [Theory]
    [InlineData("--http1.1")]
    [InlineData("--http2")]
    [InlineData("--tls-max 1.2")]
    public async Task Curl_through_theProxy_carries_the_ja3_tshark_computes_for_the_same_client(string options)
    {
        if (!CurlRunner.IsAvailable) return;
        var flags = options.Split(' ');
        // Ground truth: the same curl options against a raw socket, the hello read by tshark.
        var hello = await CaptureDirectHelloAsync(port => [.. flags, "-sk", "--max-time", "5", $"https://localhost:{port}/"]);
        var parsed = ClientHelloParser.Parse(hello);
        Assert.True(parsed.IsComplete, parsed.Reason);
        var expectedJa4 = Ja4.Compute(parsed.Hello).Fingerprint;

        var result = await CurlRunner.RunAsync([.. flags, "-sS", "--cacert", Proxy.CaPath, "-x", Proxy.Url.ToString(), $"{Origin.HttpsUrl}/hello?{Tag(options)}"]);
        result.EnsureSuccess();
        var exchange = await Proxy.WaitForExchangeAsync(e => e.Request.Path == $"/hello?{Tag(options)}");
        var client = exchange.Tls!.Client!;
        Assert.Equal("localhost", client.SniHostname);
        Assert.Equal(expectedJa4, client.Ja4Fingerprint);
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(client.Ja3!))), client.Ja3Fingerprint);
        Assert.Equal(options == "--tls-max 1.2" ? "TLSv1.2" : "TLSv1.3", client.NegotiatedProtocol);
        Assert.Equal(options == "--http1.1" ? "http/1.1" : "h2", client.NegotiatedAlpn);

        if (Tshark.Path is null) return;
        var rows = await Tshark.ReadFieldsAsync(PcapFile.Build([new PcapPacket(hello, 40000, 443)]),
            [RealClientHelloCaptures.TsharkJa3, RealClientHelloCaptures.TsharkJa3Full]);
        Assert.Equal(rows[40000][0], client.Ja3Fingerprint);
        Assert.Equal(rows[40000][1], client.Ja3);
    }

    [Fact]
    public async Task Chromium_hellos_with_grease_and_shuffled_extensions_match_tshark()
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        if (chromium is null || Tshark.Path is null) return;
        var profile = Directory.CreateTempSubdirectory("proxymcp-chromium-");
        try
        {
            var hello = await CaptureHelloAsync(port => System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(chromium)
            {
                ArgumentList = { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", $"--user-data-dir={profile.FullName}", $"https://localhost:{port}/" },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!);
            var parsed = ClientHelloParser.Parse(hello);
            Assert.True(parsed.IsComplete, parsed.Reason);
            Assert.Contains(parsed.Hello.CipherSuites, ClientHello.IsGrease);
            var rows = await Tshark.ReadFieldsAsync(PcapFile.Build([new PcapPacket(hello, 40001, 443)]),
                [RealClientHelloCaptures.TsharkJa3, RealClientHelloCaptures.TsharkJa3Full]);
            var ja3 = Ja3.Compute(parsed.Hello);
            Assert.Equal(rows[40001][0], ja3.Hash);
            Assert.Equal(rows[40001][1], ja3.Text);
            Assert.StartsWith("t13d", Ja4.Compute(parsed.Hello).Fingerprint);
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Every_stream_of_an_http2_connection_carries_its_fingerprint()
    {
        using var client = Proxy.CreateClient(HttpVersion.Version20);
        await Task.WhenAll(Enumerable.Range(0, 5).Select(i => client.GetStringAsync($"{Origin.HttpsUrl}/hello?stream={i}")));
        var exchanges = new List<ProxyMcp.Engine.Exchanges.Exchange>();
        for (var i = 0; i < 5; i++) exchanges.Add(await Proxy.WaitForExchangeAsync(e => e.Request.Path == $"/hello?stream={i}"));
        Assert.All(exchanges, e => Assert.Equal("HTTP/2", e.HttpVersion));
        Assert.Single(exchanges.Select(e => e.Tls!.Client!.Ja4Fingerprint).Distinct());
        Assert.StartsWith("t13d", exchanges[0].Tls!.Client!.Ja4Fingerprint);
        Assert.Contains("h2", exchanges[0].Tls!.Client!.ClientAlpn!);
    }

    [Fact]
    public async Task Server_tls_capture_adds_theOrigin_ja3s_only_while_enabled()
    {
        using var off = Proxy.CreateClient();
        await off.GetStringAsync($"{Origin.HttpsUrl}/hello?server=off");
        Assert.Null((await Proxy.WaitForExchangeAsync(e => e.Request.Path == "/hello?server=off")).Tls!.Server);

        Proxy.Engine.ServerTls.Enabled = true;
        // A new client makes the proxy open a new origin connection, whose ServerHello is observed.
        using var on = Proxy.CreateClient();
        await on.GetStringAsync($"{Origin.HttpsUrl.Replace("localhost", "127.0.0.1")}/hello?server=on");
        var server = (await Proxy.WaitForExchangeAsync(e => e.Request.Path == "/hello?server=on")).Tls!.Server!;
        Assert.Equal("TLSv1.3", server.Protocol);
        Assert.StartsWith("TLS_", server.Cipher);
        Assert.StartsWith("771,", server.Ja3s);
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(server.Ja3s!))), server.Ja3sFingerprint);

        Proxy.Engine.ServerTls.Enabled = false;
        await on.GetStringAsync($"{Origin.HttpsUrl.Replace("localhost", "127.0.0.1")}/hello?server=off-again");
        Assert.Null((await Proxy.WaitForExchangeAsync(e => e.Request.Path == "/hello?server=off-again")).Tls!.Server);
    }

    private static string Tag(string options) => options.Replace(' ', '_').TrimStart('-');

    /// <summary>Runs curl against a bare TCP listener and returns the bytes of its ClientHello.</summary>
    private static async Task<byte[]> CaptureDirectHelloAsync(Func<int, string[]> arguments)
    {
        Task? curl = null;
        var hello = await CaptureHelloAsync(port =>
        {
            curl = CurlRunner.RunAsync(arguments(port), TimeSpan.FromSeconds(10));
            return null;
        });
        await curl!;
        return hello;
    }

    /// <summary>Starts a client against a bare TCP listener and returns the bytes of its first ClientHello.</summary>
    private static async Task<byte[]> CaptureHelloAsync(Func<int, System.Diagnostics.Process?> startClient)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var process = startClient(port);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var socket = await listener.AcceptTcpClientAsync(timeout.Token);
        var stream = socket.GetStream();
        var buffer = new MemoryStream();
        var chunk = new byte[4096];
        while (true)
        {
            var read = await stream.ReadAsync(chunk);
            if (read == 0) break;
            buffer.Write(chunk, 0, read);
            if (ClientHelloParser.Parse(buffer.ToArray()).Status != HelloParseStatus.NeedMoreData) break;
        }
        socket.Close();
        if (process is not null && !process.HasExited) process.Kill(entireProcessTree: true);
        var parsed = ClientHelloParser.Parse(buffer.ToArray());
        return buffer.ToArray()[..parsed.Length];
    }
}
