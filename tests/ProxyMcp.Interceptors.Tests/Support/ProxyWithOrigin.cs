using System.Collections.Concurrent;
using ProxyMcp.Engine;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Engine.Tls;

namespace ProxyMcp.Interceptors.Tests.Support;

/// <summary>A real <see cref="ProxyEngine"/> on loopback that trusts the <see cref="HttpsOrigin"/>'s root, recording every exchange.</summary>
public sealed class ProxyWithOrigin : IAsyncLifetime
{
    private readonly TempDirectory _caDirectory = new();
    private readonly ConcurrentQueue<Exchange> _exchanges = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public HttpsOrigin Origin { get; private set; } = null!;
    public CertificateAuthority Authority { get; private set; } = null!;
    public ProxyEngine Engine { get; private set; } = null!;

    /// <summary>Also called for every exchange, after it is recorded.</summary>
    public event Action<Exchange>? ExchangeCompleted;

    public InterceptionContext Context => new(Engine.EndPoint!, Authority.CertificatePem, Authority.SpkiSha256Base64);

    public async Task InitializeAsync()
    {
        Origin = await HttpsOrigin.StartAsync();
        Authority = CertificateAuthority.LoadOrCreate(_caDirectory.Path);
        Engine = new ProxyEngine(Authority);
        Engine.ExchangeCompleted += e =>
        {
            _exchanges.Enqueue(e);
            ExchangeCompleted?.Invoke(e);
            _arrived.Release();
        };
        await Engine.StartAsync(new ProxyOptions { Port = 0, ExtraTrustedRoots = [Origin.Root] });
    }

    /// <summary>The first exchange (already seen or still to come) whose URL ends with <paramref name="path"/>.</summary>
    public async Task<Exchange> WaitForExchangeAsync(string path, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var found = _exchanges.FirstOrDefault(e => e.Request.Url.EndsWith(path, StringComparison.Ordinal));
            if (found is not null) return found;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
            {
                throw new TimeoutException($"No exchange for {path}; seen: {string.Join(", ", _exchanges.Select(e => e.Request.Url))}");
            }
        }
    }

    public async Task DisposeAsync()
    {
        await Engine.DisposeAsync();
        Authority.Dispose();
        await Origin.DisposeAsync();
        _caDirectory.Dispose();
    }
}
