using System.Net;
using Microsoft.Extensions.Logging;
using ProxyMcp.Capture.Live;
using ProxyMcp.Engine;
using ProxyMcp.Engine.Tls;
using ProxyMcp.Engine.Upstream;
using ProxyMcp.Interceptors;
using ProxyMcp.Interceptors.Browser;

namespace ProxyMcp.Proxy;

/// <summary>
/// The one proxy of the process, shared by every MCP session (stdio or many HTTP clients):
/// the CA, the engine, the live capture and the start/stop state.
/// </summary>
public sealed class ProxyRuntime : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Lock _authorityLock = new();
    private readonly Lock _engineLock = new();
    // Serialises start/stop so two clients racing proxy_start get one listener and one clear error.
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private CertificateAuthority? _authority;
    private ProxyEngine? _engine;

    public ProxyRuntime(RuntimeSettings settings, ILoggerFactory loggerFactory)
    {
        Settings = settings;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ProxyRuntime>();
        Capture = new LiveCapture(settings.MaxExchanges);
        Interceptors = InterceptorRegistry.CreateDefault(Path.Combine(settings.DataDirectory, "interceptors"),
            new BrowserOptions { ExecutablePath = settings.BrowserPath });
        ListenAddress = settings.ListenAddress;
        OriginTrust = new OriginTrust(settings.UpstreamInsecure, [.. settings.ExtraTrustedRoots]);
        Sessions = new SessionRuntime(settings, this);
    }

    /// <summary>Persistent sessions: store, recorder, replay.</summary>
    public SessionRuntime Sessions { get; }

    public RuntimeSettings Settings { get; }

    public LiveCapture Capture { get; }

    /// <summary>Spawned processes and (later) browsers, devices, containers routed through the proxy; one registry per process.</summary>
    public InterceptorRegistry Interceptors { get; }

    public bool IsRunning => _engine?.IsRunning == true;

    /// <summary>Where the proxy listens; null when stopped.</summary>
    public IPEndPoint? EndPoint => _engine?.EndPoint;

    /// <summary>Interception rules held by the engine (none before the first start).</summary>
    public int RuleCount => _engine?.Rules.Count ?? 0;

    /// <summary>Upstream settings (none before the engine exists).</summary>
    public ProxyMcp.Engine.Upstream.UpstreamConfiguration.Snapshot? UpstreamSnapshot => _engine?.Upstreams.Current;

    /// <summary>Port of the last successful start, kept after stop; null before the first start.</summary>
    public int? LastPort { get; private set; }

    /// <summary>Bind address of the running (or last) listener, else the launch default.</summary>
    public IPAddress ListenAddress { get; private set; }

    /// <summary>Whether the running (or last) listener skips origin certificate checks, else the launch default.</summary>
    public bool UpstreamInsecure => OriginTrust.Insecure;

    /// <summary>How the running (or last) listener verifies origins, else the launch default; replays follow it too.</summary>
    public OriginTrust OriginTrust { get; private set; }

    /// <summary>Absolute path of the CA certificate PEM (it may not exist yet).</summary>
    public string CertificatePath => Path.GetFullPath(Path.Combine(Settings.CertificateDirectory, CertificateAuthority.CertificateFileName));

    /// <summary>The CA, loading it from the data directory or creating it there on first use.</summary>
    public CertificateAuthority GetOrCreateAuthority()
    {
        lock (_authorityLock)
        {
            if (_authority is null)
            {
                _authority = CertificateAuthority.LoadOrCreate(Settings.CertificateDirectory);
                _logger.LogInformation("CA certificate at {Path}", _authority.CertificatePath);
            }
            return _authority;
        }
    }

    /// <summary>The CA if it is loaded or already on disk; never creates one (status reads must stay cheap).</summary>
    public CertificateAuthority? FindAuthority()
    {
        lock (_authorityLock)
        {
            if (_authority is not null) return _authority;
        }
        var keyPath = Path.Combine(Settings.CertificateDirectory, CertificateAuthority.KeyFileName);
        if (!File.Exists(CertificatePath) || !File.Exists(keyPath)) return null;
        try
        {
            return GetOrCreateAuthority();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            _logger.LogWarning(e, "Could not load the CA from {Directory}", Settings.CertificateDirectory);
            return null;
        }
    }

    /// <summary>Starts the listener; throws when it is already running or cannot bind.</summary>
    public async Task<IPEndPoint> StartAsync(ProxyStart request, CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            // McpException: a caller's mistake, answered as a tool error without a warning and stack trace on stderr.
            if (IsRunning) throw new ModelContextProtocol.McpException("Proxy is already running. Stop it first.");
            var engine = GetOrCreateEngine();
            var options = new ProxyOptions
            {
                BindAddress = request.ListenAddress ?? Settings.ListenAddress,
                Port = request.Port,
                UpstreamInsecure = request.UpstreamInsecure ?? Settings.UpstreamInsecure,
                ExtraTrustedRoots = OriginTrust.ExtraRoots,
            };
            IPEndPoint endPoint;
            try
            {
                endPoint = await engine.StartAsync(options, cancellationToken);
            }
            catch (IOException ex)
            {
                // The engine's bind errors already say what to change (port in use, foreign address, privileged port).
                throw new ModelContextProtocol.McpException(ex.Message, ex);
            }
            LastPort = endPoint.Port;
            ListenAddress = options.BindAddress;
            // Same roots list: a start with an unchanged flag leaves the policy equal, so replay keeps its pooled connections.
            OriginTrust = OriginTrust with { Insecure = options.UpstreamInsecure };
            _logger.LogInformation("Proxy listening on {EndPoint}", endPoint);
            return endPoint;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops the listener; the capture, the CA and the last port are kept.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (!IsRunning) throw new ModelContextProtocol.McpException("Proxy is not running.");
            // proxy-mcp order: interceptor targets (and their CA files) go first, then the listener; failures do not stop it.
            if (await Interceptors.TryDeactivateAllAsync(cancellationToken) is { } failure) _logger.LogWarning("Deactivating interceptors: {Failure}", failure);
            await _engine!.StopAsync(cancellationToken);
            // As in proxy-mcp, stopping the proxy finalises the recording session (after the last exchanges are in).
            await Sessions.Recorder.StopAsync(cancellationToken);
            // As in proxy-mcp, server TLS capture is a per-run switch.
            _engine.ServerTls.Enabled = false;
            _logger.LogInformation("Proxy stopped");
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>The engine, created on first use: rules and upstreams can be set before the first start and survive stops.</summary>
    public ProxyEngine Engine => GetOrCreateEngine();

    private ProxyEngine GetOrCreateEngine()
    {
        lock (_engineLock)
        {
            if (_engine is not null) return _engine;
            // One engine for the process lifetime, so the capture subscription is made exactly once.
            var engine = new ProxyEngine(GetOrCreateAuthority(), _loggerFactory);
            // The live capture never holds complete bodies (up to MiBs each): those belong to the recording session.
            engine.ExchangeCompleted += e => Capture.Add(e.Bodies is null ? e : e with { Bodies = null });
            engine.ExchangeCompleted += Sessions.Recorder.Record;
            // Connections are tied to spawned programs when accepted; a late lookup covers anything accepted earlier.
            engine.ClientIdentifier = endPoint => Interceptors.TryFindTargetFor(endPoint)?.TargetId;
            engine.ExchangeCompleted += e =>
            {
                if (e.ClientTarget is { } target) Interceptors.RecordLink(target, e.Id);
                else Interceptors.LinkExchange(e);
            };
            _engine = engine;
            return engine;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Spawned programs must not outlive the server.
        await Interceptors.TryDeactivateAllAsync();
        // A recording session is finalised on shutdown instead of being left marked active.
        await Sessions.DisposeAsync();
        if (_engine is not null)
        {
            try
            {
                if (_engine.IsRunning)
                {
                    await _engine.StopAsync();
                    _logger.LogInformation("Proxy stopped");
                }
            }
            finally
            {
                await _engine.DisposeAsync();
            }
        }
        _authority?.Dispose();
        _lifecycle.Dispose();
    }
}
