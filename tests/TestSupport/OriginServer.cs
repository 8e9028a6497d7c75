using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ProxyMcp.TestSupport.Endpoints;

namespace ProxyMcp.TestSupport;

/// <summary>A real Kestrel origin on loopback (HTTP/1.1, HTTPS with h2 + http/1.1 ALPN, and h2c) for proxy tests to forward to.</summary>
public sealed class OriginServer : IAsyncDisposable
{
    public const string HelloBody = "hello from origin";
    public const string HtmlBody = "<!doctype html>\n<html><head><title>Test origin</title></head><body><h1>Test origin</h1><p>hello from origin</p></body></html>\n";

    /// <summary>Content-Length that <c>/reset</c> declares but never delivers.</summary>
    public const long ResetDeclaredLength = 10L * 1024 * 1024;

    /// <summary>Pattern bytes that <c>/reset</c> sends before aborting the connection.</summary>
    public const int ResetSentLength = 64 * 1024;

    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(2);

    private readonly WebApplication _app;
    private readonly RequestLog _log;
    private readonly bool _ownsCertificates;

    private OriginServer(WebApplication app, RequestLog log, TestCertificates certificates, bool ownsCertificates, int httpPort, int httpsPort, int h2cPort)
    {
        _app = app;
        _log = log;
        Certificates = certificates;
        _ownsCertificates = ownsCertificates;
        HttpPort = httpPort;
        HttpsPort = httpsPort;
        H2cPort = h2cPort;
    }

    /// <summary>The test CA and leaf the HTTPS endpoint serves; trust <see cref="TestCertificates.Root"/> to verify it.</summary>
    public TestCertificates Certificates { get; }

    /// <summary>Plain HTTP/1.1 endpoint on 127.0.0.1.</summary>
    public int HttpPort { get; }

    /// <summary>TLS endpoint on 127.0.0.1 offering ALPN h2 and http/1.1.</summary>
    public int HttpsPort { get; }

    /// <summary>Plain HTTP/2-only endpoint (h2c with prior knowledge) on 127.0.0.1.</summary>
    public int H2cPort { get; }

    public string HttpUrl => $"http://127.0.0.1:{HttpPort}";

    /// <summary>Uses the name <c>localhost</c> so SNI and certificate name checks are exercised; localhost must resolve to 127.0.0.1.</summary>
    public string HttpsUrl => $"https://localhost:{HttpsPort}";

    public string H2cUrl => $"http://127.0.0.1:{H2cPort}";

    public string WsUrl => $"ws://127.0.0.1:{HttpPort}/ws";

    public string WssUrl => $"wss://localhost:{HttpsPort}/ws";

    /// <summary>Every request finished so far, in completion order.</summary>
    public IReadOnlyList<ReceivedRequest> Requests => _log.Snapshot();

    /// <summary>Starts the origin. Pass <paramref name="certificates"/> to share a CA (e.g. with extra SANs); otherwise a fresh one is made and disposed with the server.</summary>
    public static async Task<OriginServer> StartAsync(TestCertificates? certificates = null, CancellationToken cancellationToken = default)
    {
        var ownsCertificates = certificates is null;
        certificates ??= TestCertificates.Create();
        var log = new RequestLog();
        ListenOptions? http = null, https = null, h2c = null;

        // The empty builder reads no appsettings/environment and registers no logger providers: nothing leaks into test output.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "ProxyMcp.TestOrigin" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // uploads of any size stream through
            // Tests stall reads and writes on purpose (backpressure, trickled uploads); Kestrel must not abort them as too slow.
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Listen(IPAddress.Loopback, 0, o => { o.Protocols = HttpProtocols.Http1; http = o; });
            kestrel.Listen(IPAddress.Loopback, 0, o =>
            {
                o.Protocols = HttpProtocols.Http1AndHttp2;
                // A selector (rather than a fixed certificate) makes Kestrel record the client's SNI in ITlsHandshakeFeature.HostName.
                o.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificateSelector = (_, _) => certificates.ServerCertificate });
                https = o;
            });
            kestrel.Listen(IPAddress.Loopback, 0, o => { o.Protocols = HttpProtocols.Http2; h2c = o; });
        });
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownGrace);

        var app = builder.Build();
        try
        {
            app.Use(new RequestRecorder(log).InvokeAsync);
            app.UseWebSockets();
            BasicEndpoints.Map(app);
            EchoEndpoint.Map(app);
            CompressedEndpoints.Map(app);
            ByteStreamEndpoints.Map(app);
            UploadEndpoint.Map(app);
            SlowEndpoints.Map(app);
            WebSocketEchoEndpoint.Map(app);

            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            // Kestrel writes the OS-assigned port back into each ListenOptions once bound.
            return new OriginServer(app, log, certificates, ownsCertificates, BoundPort(http), BoundPort(https), BoundPort(h2c));
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            if (ownsCertificates)
                certificates.Dispose();
            throw;
        }
    }

    /// <summary>The text of chunk <paramref name="index"/> of <c>/slow-body</c>.</summary>
    public static string SlowBodyChunk(long index) => $"chunk {index}\n";

    /// <summary>Waits until a finished request matches; throws <see cref="TimeoutException"/> listing what did arrive.</summary>
    public Task<ReceivedRequest> WaitForRequestAsync(Func<ReceivedRequest, bool> predicate, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        _log.WaitForAsync(predicate, timeout ?? DefaultWait, cancellationToken);

    public void ClearRequests() => _log.Clear();

    public async ValueTask DisposeAsync()
    {
        // A bounded stop aborts lingering connections (open WebSockets, endless downloads) instead of waiting for them.
        using var grace = new CancellationTokenSource(ShutdownGrace);
        try
        {
            await _app.StopAsync(grace.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            if (_ownsCertificates)
                Certificates.Dispose();
        }
    }

    private static int BoundPort(ListenOptions? options) =>
        options?.IPEndPoint?.Port is > 0 and var port ? port : throw new InvalidOperationException("Kestrel did not report a bound port.");
}
