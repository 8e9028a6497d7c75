using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ProxyMcp.Tests.Support;

/// <summary>A minimal Kestrel origin on loopback: echoes method, path and body, plus an X-Origin header.</summary>
public sealed class TinyOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TinyOrigin(WebApplication app, Uri baseUrl, X509Certificate2? certificate)
    {
        _app = app;
        BaseUrl = baseUrl;
        Certificate = certificate;
    }

    /// <summary>e.g. http://127.0.0.1:PORT or https://localhost:PORT.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The self-signed certificate of an HTTPS origin.</summary>
    public X509Certificate2? Certificate { get; }

    public static async Task<TinyOrigin> StartAsync(bool https = false)
    {
        var certificate = https ? CreateSelfSigned() : null;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null) listen.UseHttps(certificate);
        }));
        var app = builder.Build();
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            context.Response.Headers["X-Origin"] = "tiny";
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(
                $"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} {body}", context.RequestAborted);
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        return new TinyOrigin(app, new Uri(https ? $"https://localhost:{port}" : $"http://127.0.0.1:{port}"), certificate);
    }

    private static X509Certificate2 CreateSelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        // Re-import through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate?.Dispose();
    }
}
