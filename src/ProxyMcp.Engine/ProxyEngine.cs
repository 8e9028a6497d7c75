using System.Net;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Engine.Tls;

namespace ProxyMcp.Engine;

/// <summary>The explicit MITM listener: accepts proxy traffic, forwards it and raises one event per exchange.</summary>
public sealed class ProxyEngine : IAsyncDisposable
{
    public ProxyEngine(CertificateAuthority authority, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        Authority = authority;
        _ = loggerFactory;
    }

    public CertificateAuthority Authority { get; }

    /// <summary>Raised once per finished exchange (response sent, or request failed/aborted), off the hot path's critical section.</summary>
    public event Action<Exchange>? ExchangeCompleted;

    public bool IsRunning => EndPoint is not null;

    /// <summary>Where the listener is bound while running; null when stopped.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    public Task<IPEndPoint> StartAsync(ProxyOptions options, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task StopAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    internal void Raise(Exchange exchange) => ExchangeCompleted?.Invoke(exchange);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
