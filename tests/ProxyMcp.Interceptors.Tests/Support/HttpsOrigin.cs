using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ProxyMcp.Interceptors.Tests.Support;

/// <summary>
/// A tiny HTTPS origin on 127.0.0.1 whose certificate (for localhost and 127.0.0.1) comes from a throwaway root that only
/// the proxy trusts: a client can reach it with verification on only through the proxy and our CA.
/// </summary>
public sealed class HttpsOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HttpsOrigin(WebApplication app, X509Certificate2 root, int port)
    {
        _app = app;
        Root = root;
        Port = port;
    }

    public X509Certificate2 Root { get; }

    public int Port { get; }

    /// <summary>The text every response carries: "hello from &lt;path&gt;".</summary>
    public static string BodyFor(string path) => "hello from " + path;

    public static async Task<HttpsOrigin> StartAsync()
    {
        var (root, leaf) = CreateCertificates();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(leaf)));
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsync(BodyFor(context.Request.Path)));
        await app.StartAsync();
        var address = app.Urls.First();
        return new HttpsOrigin(app, root, new Uri(address).Port);
    }

    private static (X509Certificate2 Root, X509Certificate2 Leaf) CreateCertificates()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Throwaway Origin Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        using var rootWithKey = rootRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=localhost", leafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(san.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(rootWithKey, true, false));
        using var signed = leafRequest.Create(rootWithKey, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(6),
            RandomNumberGenerator.GetBytes(12));
        var leaf = signed.CopyWithPrivateKey(leafKey);
        var root = X509CertificateLoader.LoadCertificate(rootWithKey.Export(X509ContentType.Cert));
        return (root, leaf);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
