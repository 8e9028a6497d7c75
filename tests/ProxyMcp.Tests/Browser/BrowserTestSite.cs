using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ProxyMcp.Tests.Browser;

/// <summary>
/// A small HTTPS shop page on https://localhost:PORT for the browser tests: a heading, a "Buy now" button whose click
/// (only a trusted, real input event counts) changes the page and posts to /api/bought, a labelled text field, a server
/// cookie (HttpOnly, Secure), a script cookie, local and session storage entries and a console message. Its self-signed
/// certificate is trusted by the proxy only, so the browser reaches it solely through the proxy and our CA.
/// </summary>
public sealed class BrowserTestSite : IAsyncDisposable
{
    public const string Page = """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>Test shop</title>
        <style>body { font: 16px sans-serif; margin: 40px; } button { width: 160px; height: 48px; margin: 200px 0 0 300px; }</style>
        </head><body>
        <h1>Welcome to the test shop</h1>
        <button id="buy">Buy now</button>
        <p id="result">not bought</p>
        <label>Name <input id="name" type="text"></label>
        <script>
          document.cookie = "js_cookie=from-script; path=/; SameSite=Lax";
          localStorage.setItem("cart", JSON.stringify({ items: 3, sku: "A-1" }));
          sessionStorage.setItem("visit", "first");
          console.log("page loaded");
          document.getElementById("buy").addEventListener("click", event => {
            document.getElementById("result").textContent = event.isTrusted ? "bought by a real click" : "bought by a script";
            fetch("/api/bought", { method: "POST", body: "sku=A-1" });
          });
        </script>
        </body></html>
        """;

    private readonly WebApplication _app;

    private BrowserTestSite(WebApplication app, X509Certificate2 certificate, int port)
    {
        _app = app;
        Certificate = certificate;
        Port = port;
    }

    public X509Certificate2 Certificate { get; }

    public int Port { get; }

    public string Url => $"https://localhost:{Port}/";

    public static async Task<BrowserTestSite> StartAsync()
    {
        var certificate = CreateSelfSigned();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        app.Run(async context =>
        {
            switch (context.Request.Path.Value)
            {
                case "/":
                    context.Response.ContentType = "text/html; charset=utf-8";
                    context.Response.Headers.Append("Set-Cookie", "session=abc123; Path=/; HttpOnly; Secure; SameSite=Lax");
                    context.Response.Headers["Cache-Control"] = "no-store";
                    await context.Response.WriteAsync(Page, context.RequestAborted);
                    break;
                case "/api/bought":
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync("""{"ok":true}""", context.RequestAborted);
                    break;
                default:
                    context.Response.StatusCode = 404;
                    break;
            }
        });
        await app.StartAsync();
        return new BrowserTestSite(app, certificate, new Uri(app.Urls.First()).Port);
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
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
    }
}
