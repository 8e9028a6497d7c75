using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace ProxyMcp.Tests.Support;

/// <summary>An HttpClient that sends everything through the proxy, trusting the proxy's CA when given (it re-signs every HTTPS origin).</summary>
public static class ProxiedClient
{
    public static HttpClient Through(string proxyUrl, X509Certificate2? trustedRoot = null)
    {
        var handler = new SocketsHttpHandler
        {
            Proxy = new WebProxy(proxyUrl) { BypassProxyOnLocal = false },
            UseProxy = true,
        };
        if (trustedRoot is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(trustedRoot);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return certificate is not null && chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            };
        }
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public static HttpClient Through(int port, X509Certificate2? trustedRoot = null) => Through($"http://127.0.0.1:{port}", trustedRoot);

    /// <summary>Through the proxy of an in-memory server, trusting that server's CA.</summary>
    public static async Task<HttpClient> TrustingAsync(InMemoryServer server, int port) =>
        Through(port, X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(server.Runtime.CertificatePath)));
}
