using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Engine.Tls;
using Microsoft.Extensions.Logging;

namespace ProxyMcp.Engine.Tests.Proxy;

/// <summary>A real ProxyEngine on 127.0.0.1 with a throwaway CA, recording every exchange it raises.</summary>
public sealed class RunningProxy : IAsyncDisposable
{
    private readonly string _dataDir;
    private readonly ConcurrentQueue<Exchange> _exchanges = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private RunningProxy(string dataDir, ProxyEngine engine)
    {
        _dataDir = dataDir;
        Engine = engine;
        engine.ExchangeCompleted += e =>
        {
            _exchanges.Enqueue(e);
            _arrived.Release();
        };
    }

    public ProxyEngine Engine { get; }

    public CertificateAuthority Authority => Engine.Authority;

    public IPEndPoint EndPoint => Engine.EndPoint!;

    public Uri Url => new($"http://{EndPoint}");

    public string CaPath => Authority.CertificatePath;

    public IReadOnlyCollection<Exchange> Exchanges => _exchanges;

    public static async Task<RunningProxy> StartAsync(ProxyOptions? options = null, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "proxymcp-test-" + Guid.NewGuid().ToString("N"));
        var logging = loggerFactory ?? (Environment.GetEnvironmentVariable("PROXYMCP_TEST_LOG") is { Length: > 0 }
            ? Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddConsole().SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug))
            : null);
        var engine = new ProxyEngine(CertificateAuthority.LoadOrCreate(dataDir), logging);
        var proxy = new RunningProxy(dataDir, engine);
        await engine.StartAsync(options ?? new ProxyOptions());
        return proxy;
    }

    /// <summary>Waits for an exchange matching <paramref name="predicate"/> (exchanges are raised just after the response).</summary>
    public async Task<Exchange> WaitForExchangeAsync(Func<Exchange, bool> predicate, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var found = _exchanges.FirstOrDefault(predicate);
            if (found is not null) return found;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException("No matching exchange; captured: " + string.Join(", ", _exchanges.Select(e => $"{e.Request.Method} {e.Request.Url} {e.Response?.StatusCode}")));
            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>An HttpClient that uses the proxy and trusts our CA (and, for direct checks, an optional extra root).</summary>
    public HttpClient CreateClient(Version? version = null, bool trustCa = true)
    {
        var handler = new SocketsHttpHandler
        {
            Proxy = new WebProxy(Url),
            UseProxy = true,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = trustCa ? TrustOnly(Authority.Certificate) : null,
            },
        };
        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        if (version is not null)
        {
            client.DefaultRequestVersion = version;
            client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
        return client;
    }

    /// <summary>Validates a server certificate against one custom root only.</summary>
    public static RemoteCertificateValidationCallback TrustOnly(X509Certificate2 root) => (_, certificate, _, errors) =>
    {
        if (certificate is null) return false;
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    };

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        Authority.Dispose();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
