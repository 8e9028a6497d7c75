using System.Diagnostics;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Interceptors.Process;
using ProxyMcp.Interceptors.Tests.Support;

namespace ProxyMcp.Interceptors.Tests.Process;

/// <summary>
/// Real clients spawned through a real proxy to an HTTPS origin whose root only the proxy trusts. The clients verify
/// certificates (no -k, no NODE_TLS_REJECT_UNAUTHORIZED): they succeed only because the CA bundle holds our CA.
/// </summary>
public sealed class SpawnThroughProxyTests : IClassFixture<ProxyWithOrigin>, IAsyncLifetime
{
    private readonly ProxyWithOrigin _proxy;
    private readonly TempDirectory _temp = new();
    private readonly ProcessInterceptor _interceptor;
    private readonly InterceptorRegistry _registry;

    public SpawnThroughProxyTests(ProxyWithOrigin proxy)
    {
        _proxy = proxy;
        _interceptor = new ProcessInterceptor(new CaBundleFiles(_temp.Path));
        _registry = new InterceptorRegistry([_interceptor]);
        _proxy.ExchangeCompleted += Link;
    }

    private string OriginUrl(string path) => $"https://localhost:{_proxy.Origin.Port}{path}";

    private void Link(Exchange exchange) => _registry.LinkExchange(exchange);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _proxy.ExchangeCompleted -= Link;
        await _registry.DeactivateAllAsync();
        _temp.Dispose();
    }

    private async Task<KillOutcome> RunToEndAsync(string command, params string[] args)
    {
        var target = await _interceptor.SpawnAsync(new SpawnRequest(command, args), _proxy.Context);
        var watch = Stopwatch.StartNew();
        while (_interceptor.TargetProcesses.Any(p => p.TargetId == target.Id) && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }
        return await _interceptor.KillAsync(target.Id);
    }

    private static void AssertSucceeded(KillOutcome outcome, string expectedOutput)
    {
        Assert.False(outcome.WasRunning, "the client should have finished by itself");
        Assert.True(outcome.Exit?.ExitCode == 0, $"exit {outcome.Exit?.ExitCode}; stderr: {outcome.Stderr}");
        Assert.Contains(expectedOutput, outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curl_reaches_the_origin_through_the_proxy_with_verification_on()
    {
        if (!Tools.Has("curl")) return;

        var outcome = await RunToEndAsync("curl", "-sS", OriginUrl("/curl"));

        AssertSucceeded(outcome, HttpsOrigin.BodyFor("/curl"));
        var exchange = await _proxy.WaitForExchangeAsync("/curl");
        Assert.Equal(200, exchange.Response?.StatusCode);
        Assert.Equal(HttpsOrigin.BodyFor("/curl"), exchange.Response?.BodyPreview);
        Assert.NotNull(exchange.Tls?.Client); // Intercepted TLS, not a blind tunnel.
    }

    [Fact]
    public async Task Curl_without_our_ca_fails_verification_so_verification_is_really_on()
    {
        if (!Tools.Has("curl")) return;
        var systemOnly = SystemRoots.LocateBundle(null);
        if (systemOnly is null) return;

        // Same proxy variables, but curl is told to trust the system roots alone: the proxy's leaf must be rejected.
        var outcome = await RunToEndAsync("curl", "-sS", "--cacert", systemOnly, OriginUrl("/curl-untrusted"));

        Assert.Equal(60, outcome.Exit?.ExitCode); // CURLE_PEER_FAILED_VERIFICATION
        Assert.Contains("certificate", outcome.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Python_urllib_reaches_the_origin_through_the_proxy_with_verification_on()
    {
        if (!Tools.Has("python3")) return;

        var outcome = await RunToEndAsync("python3", "-c",
            $"import urllib.request; print(urllib.request.urlopen('{OriginUrl("/python")}').read().decode())");

        AssertSucceeded(outcome, HttpsOrigin.BodyFor("/python"));
        var exchange = await _proxy.WaitForExchangeAsync("/python");
        Assert.Equal(200, exchange.Response?.StatusCode);
    }

    [Fact]
    public async Task Python_with_the_system_roots_alone_rejects_the_proxy()
    {
        if (!Tools.Has("python3")) return;
        var systemOnly = SystemRoots.LocateBundle(null);
        if (systemOnly is null) return;

        var outcome = await RunToEndAsync("python3", "-c",
            "import ssl, urllib.request\n" +
            $"ctx = ssl.create_default_context(cafile='{systemOnly}')\n" +
            $"urllib.request.urlopen('{OriginUrl("/python-untrusted")}', context=ctx)");

        Assert.NotEqual(0, outcome.Exit?.ExitCode);
        Assert.Contains("CERTIFICATE_VERIFY_FAILED", outcome.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// Node 20 ignores HTTP(S)_PROXY (Node ≥ 24 honours them with NODE_USE_ENV_PROXY=1, which the interceptor sets), so
    /// this script opens the CONNECT tunnel itself with the http module; the TLS inside is verified by Node's default
    /// trust store, which includes NODE_EXTRA_CA_CERTS.
    /// </summary>
    [Fact]
    public async Task Node_reaches_the_origin_through_a_connect_tunnel_with_verification_on()
    {
        if (!Tools.Has("node")) return;
        var port = _proxy.Origin.Port;
        var script = $$"""
            const http = require('http'), tls = require('tls');
            const proxy = new URL(process.env.HTTPS_PROXY);
            http.request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: 'localhost:{{port}}' })
              .on('connect', (res, socket) => {
                if (res.statusCode !== 200) { console.error('CONNECT ' + res.statusCode); process.exit(2); }
                const secure = tls.connect({ socket, servername: 'localhost' }, () => {
                  secure.write('GET /node HTTP/1.1\r\nHost: localhost:{{port}}\r\nConnection: close\r\n\r\n');
                });
                let text = '';
                secure.on('data', d => text += d);
                secure.on('end', () => { console.log(text.split('\r\n\r\n')[1]); process.exit(0); });
                secure.on('error', e => { console.error(e.message); process.exit(1); });
              })
              .on('error', e => { console.error(e.message); process.exit(1); })
              .end();
            """;

        var outcome = await RunToEndAsync("node", "-e", script);

        AssertSucceeded(outcome, HttpsOrigin.BodyFor("/node"));
        var exchange = await _proxy.WaitForExchangeAsync("/node");
        Assert.Equal(200, exchange.Response?.StatusCode);
    }

    [Fact]
    public async Task Exchanges_from_a_running_process_are_linked_to_its_target()
    {
        if (!SupportsLinking() || !Tools.Has("python3")) return;
        // Keeps its connection open after the response, like a long-running agent or a keep-alive client would.
        var script = $"""
            import http.client, os, ssl, sys, time, urllib.parse
            proxy = urllib.parse.urlparse(os.environ['HTTPS_PROXY'])
            conn = http.client.HTTPSConnection(proxy.hostname, proxy.port, context=ssl.create_default_context())
            conn.set_tunnel('localhost', {_proxy.Origin.Port})
            conn.request('GET', '/linked')
            print(conn.getresponse().read().decode(), flush=True)
            time.sleep(30)
            """;
        var target = await _interceptor.SpawnAsync(new SpawnRequest("python3", ["-c", script]), _proxy.Context);

        var exchange = await _proxy.WaitForExchangeAsync("/linked", TimeSpan.FromSeconds(20));
        var details = await WaitForLinkAsync(target.Id);

        Assert.Equal(1, (long)details["exchangeCount"]!);
        Assert.Equal([exchange.Id], details["recentExchangeIds"]!.AsArray().Select(i => (string)i!));
        var outcome = await _interceptor.KillAsync(target.Id);
        Assert.Contains(HttpsOrigin.BodyFor("/linked"), outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exchanges_from_other_clients_are_not_linked()
    {
        if (!SupportsLinking()) return;
        var bystander = await _interceptor.SpawnAsync(new SpawnRequest("sleep", ["30"]), _proxy.Context);
        using var handler = new HttpClientHandler
        {
            Proxy = new System.Net.WebProxy(_proxy.Context.ProxyUrl),
            ServerCertificateCustomValidationCallback = (_, _, _, _) => true,
        };
        using var client = new HttpClient(handler);

        Assert.Equal(HttpsOrigin.BodyFor("/test-process"), await client.GetStringAsync(OriginUrl("/test-process")));
        var exchange = await _proxy.WaitForExchangeAsync("/test-process");

        // The test process's own connection is still open, so the lookup does run, and finds no target.
        Assert.Null(_registry.LinkExchange(exchange));
        var details = _interceptor.ActiveTargets.Single(t => t.Id == bystander.Id).Details;
        Assert.Equal(0, (long)details["exchangeCount"]!);
    }

    private static bool SupportsLinking() => ProxyMcp.Interceptors.Linking.SocketOwnerLookup.IsSupported;

    private async Task<System.Text.Json.Nodes.JsonObject> WaitForLinkAsync(string targetId)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var details = _interceptor.ActiveTargets.Single(t => t.Id == targetId).Details;
            if ((long)details["exchangeCount"]! > 0 || watch.Elapsed > TimeSpan.FromSeconds(10)) return details;
            await Task.Delay(25);
        }
    }
}
