using System.Net;
using ProxyMcp.TestSupport;

namespace ProxyMcp.Engine.Tests.TestSupportTests;

/// <summary>One origin and one client that trusts its test CA, shared by the origin self-tests.</summary>
public sealed class OriginServerFixture : IAsyncLifetime
{
    private OriginServer? _origin;
    private HttpClient? _client;

    public OriginServer Origin => _origin ?? throw new InvalidOperationException("Fixture not initialised.");

    /// <summary>No proxy, no redirects, no cookie jar, no decompression: the client sees exactly what the origin sent.</summary>
    public HttpClient Client => _client ?? throw new InvalidOperationException("Fixture not initialised.");

    public async Task InitializeAsync()
    {
        _origin = await OriginServer.StartAsync();
        _client = new HttpClient(CreateHandler(_origin.Certificates)) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_origin is not null)
            await _origin.DisposeAsync();
    }

    public static SocketsHttpHandler CreateHandler(TestCertificates certificates) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        SslOptions = { RemoteCertificateValidationCallback = certificates.ValidateServerCertificate },
    };
}
