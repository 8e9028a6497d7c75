using System.Net;
using System.Net.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Engine.Forwarding;
using ProxyMcp.Engine.Listening;
using ProxyMcp.Engine.Rules;
using ProxyMcp.Engine.Tls;
using ProxyMcp.Engine.Upstream;

namespace ProxyMcp.Engine;

/// <summary>The explicit MITM listener: accepts proxy traffic, forwards it and raises one event per exchange.</summary>
public sealed class ProxyEngine(CertificateAuthority authority, ILoggerFactory? loggerFactory = null) : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private WebApplication? _app;
    private HttpMessageInvoker? _upstream;
    private ExchangePublisher? _publisher;
    private long _droppedBefore;

    /// <summary>Exchanges not captured because capture could not keep up (never expected; reported honestly).</summary>
    public long DroppedExchanges => _droppedBefore + (_publisher?.Dropped ?? 0);
    private readonly CaptureSettings _capture = new();

    /// <summary>
    /// Complete-body capture for recording sessions; null (the default) keeps only previews. Takes effect for the next request.
    /// </summary>
    public BodyCapturePolicy? BodyCapture
    {
        get => _capture.BodyCapture;
        set => _capture.BodyCapture = value;
    }

    public CertificateAuthority Authority { get; } = authority;

    /// <summary>The interception rules; they survive stop/start and apply to the next request after every change.</summary>
    public RuleStore Rules { get; } = new();

    /// <summary>Server-side TLS (JA3S) capture; off by default, switchable while running.</summary>
    public ServerTlsObserver ServerTls { get; } = new();

    /// <summary>Upstream proxies (global and per host); they survive stop/start and apply to the next request.</summary>
    public UpstreamConfiguration Upstreams { get; } = new();

    private UpstreamSelector? _selector;

    private UpstreamSelector Selector => _selector ??= new UpstreamSelector(Upstreams);

    /// <summary>Sets (or clears, with null) the global upstream; a PAC file is fetched and compiled first.</summary>
    public async Task SetGlobalUpstreamAsync(UpstreamProxy? proxy, CancellationToken cancellationToken = default)
    {
        if (proxy is not null) await PrepareAsync(proxy, cancellationToken);
        Upstreams.SetGlobal(proxy);
    }

    /// <summary>Routes one host through its own upstream (wins over the global one).</summary>
    public async Task SetHostUpstreamAsync(string hostname, UpstreamProxy proxy, CancellationToken cancellationToken = default)
    {
        await PrepareAsync(proxy, cancellationToken);
        Upstreams.SetHost(hostname, proxy);
    }

    /// <summary>The upstream configuration as an IWebProxy (with credentials), for other clients that should leave the same way.</summary>
    public IWebProxy UpstreamProxies => Selector;

    /// <summary>Which upstream a request to <paramref name="destination"/> would use right now; null for direct.</summary>
    public UpstreamRoute? RouteFor(Uri destination) => Selector.Resolve(destination);

    private async Task PrepareAsync(UpstreamProxy proxy, CancellationToken cancellationToken)
    {
        if (!proxy.IsPac || Selector.HasPacScript(proxy)) return;
        var location = proxy.ProxyUrl[4..];
        string script;
        using (var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(15) })
        {
            try
            {
                script = await client.GetStringAsync(location, cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                throw new ArgumentException($"Could not fetch the PAC file {location}: {ex.Message}", ex);
            }
        }
        try
        {
            Selector.AddPacScript(proxy, new PacScript(script));
        }
        catch (Exception ex) when (ex is Jint.Runtime.JavaScriptException or Acornima.ParseErrorException or ArgumentException or InvalidOperationException)
        {
            throw new ArgumentException($"The PAC file {location} is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>Raised once per finished exchange (response sent, or request failed or aborted), on a pool thread.</summary>
    public event Action<Exchange>? ExchangeCompleted;

    public bool IsRunning => EndPoint is not null;

    /// <summary>
    /// Names the local program behind a client connection (called once per accepted connection; return null when unknown).
    /// Set before start. The interceptors use it to tie exchanges to the processes they spawned.
    /// </summary>
    public Func<IPEndPoint, string?>? ClientIdentifier { get; set; }

    /// <summary>Where the listener is bound while running; null when stopped.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>The options the running listener was started with.</summary>
    public ProxyOptions? Options { get; private set; }

    public async Task<IPEndPoint> StartAsync(ProxyOptions options, CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (_app is not null) throw new InvalidOperationException("Proxy is already running. Stop it first.");
            var logger = _loggerFactory.CreateLogger("ProxyMcp.Engine");
            var publisher = new ExchangePublisher(e => ExchangeCompleted?.Invoke(e), logger);
            var listener = new ListenerAddress();
            var upstream = UpstreamClient.Create(options, Selector, ServerTls, listener);
            var handler = new ProxyRequestHandler(options, upstream, publisher, new StatusPage(Authority, listener), listener, _capture, Rules, Selector, ServerTls, logger);
            var dispatcher = new ConnectionDispatcher(options, new RawTunnel(publisher, new TunnelConnector(Selector, options.UpstreamTimeout, listener.IsOwn), logger), ClientIdentifier, logger);

            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.Services.AddSingleton<ILoggerFactory>(new ListenerHostLogging(_loggerFactory));
            builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
            // The request handler does not wait on anything but sockets (bodies stream, captures go to a background consumer,
            // slow one-off work such as minting a certificate is moved off), so Kestrel may run it on the thread that completed
            // the socket read instead of hopping to the thread pool for every request.
            builder.Services.Configure<SocketTransportOptions>(transport => transport.UnsafePreferInlineScheduling = true);
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                ConfigureLimits(kestrel);
                kestrel.Listen(options.BindAddress, options.Port, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.Use(next => connection => dispatcher.OnConnectionAsync(connection, next));
                    listen.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = CreateServerOptionsAsync,
                        HandshakeTimeout = TimeSpan.FromSeconds(15),
                    });
                    listen.Use(next => connection => TlsOutputCoalescing.RunAsync(connection, next));
                    // Captures Kestrel's HTTP layer so the dispatcher can route plain connections around TLS.
                    listen.Use(next =>
                    {
                        dispatcher.Http = next;
                        return next;
                    });
                });
            });
            var app = builder.Build();
            app.Run(handler.HandleAsync);
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (Exception ex)
            {
                await app.DisposeAsync();
                upstream.Dispose();
                if (BindFailure(ex, options) is { } clear) throw clear;
                throw;
            }

            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var port = new Uri(address).Port;
            var endPoint = new IPEndPoint(options.BindAddress, port);
            listener.Set(endPoint);
            _app = app;
            _upstream = upstream;
            _publisher = publisher;
            Options = options;
            EndPoint = endPoint;
            return endPoint;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (_app is null) return;
            EndPoint = null;
            using (var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                // Open tunnels and long downloads get a moment, then are cut.
                grace.CancelAfter(TimeSpan.FromSeconds(2));
                try
                {
                    await _app.StopAsync(grace.Token);
                }
                catch (OperationCanceledException) { }
            }
            await _app.DisposeAsync();
            _upstream?.Dispose();
            if (_publisher is not null)
            {
                _droppedBefore += _publisher.Dropped;
                _publisher.Complete();
                _publisher = null;
            }
            _app = null;
            _upstream = null;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private static readonly List<SslApplicationProtocol> OfferedProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    /// <summary>Kestrel's bind errors in the proxy's terms ("https://" in its message is Kestrel's, not ours).</summary>
    private static IOException? BindFailure(Exception exception, ProxyOptions options)
    {
        var address = options.BindAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{options.BindAddress}]" : options.BindAddress.ToString();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is Microsoft.AspNetCore.Connections.AddressInUseException)
                return new IOException($"Port {options.Port} on {address} is already in use; choose another port, or 0 for a free one.", exception);
            if (current is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressNotAvailable })
                return new IOException($"Cannot listen on {address}: it is not an address of this machine (use 127.0.0.1, 0.0.0.0 or one of its interface addresses).", exception);
            if (current is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AccessDenied })
                return new IOException($"Not allowed to listen on port {options.Port} (ports below 1024 need privileges); choose another port, or 0 for a free one.", exception);
        }
        return null;
    }

    private async ValueTask<SslServerAuthenticationOptions> CreateServerOptionsAsync(TlsHandshakeCallbackContext context)
    {
        var feature = context.Connection.Features.Get<ProxyConnectionFeature>();
        var sni = StripPort(context.ClientHelloInfo.ServerName);
        if (feature is not null && !string.IsNullOrEmpty(sni)) feature.SniHostname = sni;
        var host = !string.IsNullOrEmpty(sni) ? sni : feature?.TunnelHost ?? "localhost";
        // Minting a leaf takes about a millisecond: done on the pool, not on the socket thread this callback may run on.
        var certificate = Authority.TryGetCachedServerContext(host) ?? await Task.Run(() => Authority.GetServerContext(host));
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate,
            ApplicationProtocols = ProtocolsFor(feature?.ClientTls?.ClientAlpn),
            ClientCertificateRequired = false,
        };
    }

    /// <summary>
    /// h2 and http/1.1, unless the client's ALPN list names neither (curl --http1.0 offers only "http/1.0"): then its
    /// own first protocol is accepted and served as HTTP/1.x, rather than failing the handshake with "no application
    /// protocol" (Kestrel puts h2 and http/1.1 back when no list is given).
    /// </summary>
    private static List<SslApplicationProtocol> ProtocolsFor(IReadOnlyList<string>? clientAlpn) =>
        clientAlpn is { Count: > 0 } && !clientAlpn.Any(p => p is "h2" or "http/1.1")
            ? [new SslApplicationProtocol(clientAlpn[0])]
            : OfferedProtocols;

    /// <summary>Some clients put "host:port" in SNI; the certificate is for the host.</summary>
    private static string? StripPort(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName)) return serverName;
        var colon = serverName.LastIndexOf(':');
        return colon > 0 && !serverName.Contains(']') && serverName.IndexOf(':') == colon && int.TryParse(serverName.AsSpan(colon + 1), out _)
            ? serverName[..colon]
            : serverName;
    }

    private static void ConfigureLimits(KestrelServerOptions kestrel)
    {
        kestrel.AddServerHeader = false;
        kestrel.AllowHostHeaderOverride = true;
        // Non-ASCII header bytes from a client or an origin are relayed as they are (Latin-1 is byte-for-byte), where
        // Kestrel would otherwise reject them and reset the connection.
        kestrel.RequestHeaderEncodingSelector = static _ => System.Text.Encoding.Latin1;
        kestrel.ResponseHeaderEncodingSelector = static _ => System.Text.Encoding.Latin1;
        var limits = kestrel.Limits;
        limits.MaxRequestBodySize = null;
        limits.MinRequestBodyDataRate = null;
        limits.MinResponseDataRate = null;
        limits.MaxRequestLineSize = 64 * 1024;
        limits.MaxRequestHeadersTotalSize = 512 * 1024;
        limits.MaxRequestHeaderCount = 1000;
        limits.MaxRequestBufferSize = 1024 * 1024;
        limits.MaxResponseBufferSize = 1024 * 1024;
        limits.KeepAliveTimeout = TimeSpan.FromMinutes(5);
        limits.RequestHeadersTimeout = TimeSpan.FromMinutes(1);
        limits.Http2.MaxRequestHeaderFieldSize = 128 * 1024;
        limits.Http2.MaxStreamsPerConnection = 1000;
        limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
        limits.Http2.InitialStreamWindowSize = 2 * 1024 * 1024;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _lifecycle.Dispose();
    }
}
