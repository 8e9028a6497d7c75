using System.Net;
using Microsoft.AspNetCore.Http;
using ProxyMcp.Engine.Tls;

namespace ProxyMcp.Engine.Listening;

/// <summary>What the proxy answers when a request is addressed to the proxy itself: a small page and the CA download.</summary>
internal sealed class StatusPage(CertificateAuthority authority, ListenerAddress listener)
{
    public async Task WriteAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path is "/ca.pem" or "/ca.crt" or "/cert")
        {
            context.Response.ContentType = path == "/ca.crt" ? "application/x-x509-ca-cert" : "application/x-pem-file";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"proxymcp-ca{(path == "/ca.crt" ? ".crt" : ".pem")}\"";
            await context.Response.WriteAsync(authority.CertificatePem);
            return;
        }
        if (path != "/")
        {
            context.Response.StatusCode = 404;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("ProxyMcp: this is the proxy itself. Use it as an HTTP proxy; /ca.pem downloads its CA.\n");
            return;
        }
        var endPoint = listener.EndPoint;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync($"""
            <!doctype html>
            <html><head><meta charset="utf-8"><title>ProxyMcp</title></head>
            <body>
            <h1>ProxyMcp is running</h1>
            <p>Listening on <code>{WebUtility.HtmlEncode(endPoint?.ToString() ?? "?")}</code>. Configure this address as the HTTP and HTTPS proxy of your client.</p>
            <p>HTTPS is intercepted with a local CA. Download it: <a href="/ca.pem">ca.pem</a> (PEM) or <a href="/ca.crt">ca.crt</a>.</p>
            <p>CA SPKI SHA-256 pin: <code>{WebUtility.HtmlEncode(authority.SpkiSha256Base64)}</code></p>
            </body></html>
            """);
    }
}
