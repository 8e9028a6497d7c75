using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ProxyMcp.TestSupport;

/// <summary>Middleware that records every request into the <see cref="RequestLog"/> once its handler is done.</summary>
internal sealed class RequestRecorder(RequestLog log)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var body = new CountingReadStream(context.Request.Body);
        context.Request.Body = body;
        // Snapshot before the handler runs: an upgraded or aborted request may no longer expose them afterwards.
        var headers = context.Request.Headers
            .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? "")))
            .ToArray();
        try
        {
            await next(context).ConfigureAwait(false);
            await DrainUnreadBodyAsync(context, body).ConfigureAwait(false);
        }
        finally
        {
            log.Add(new ReceivedRequest(
                context.Request.Method,
                context.Request.Path.Value + context.Request.QueryString.Value,
                context.Request.Protocol,
                context.Request.Scheme,
                context.Request.Host.Value ?? "",
                headers,
                body.BytesRead,
                context.Response.StatusCode,
                context.Features.Get<ITlsHandshakeFeature>()?.HostName is { Length: > 0 } sni ? sni : null,
                context.Connection.LocalPort));
        }
    }

    // Handlers such as /hello ignore the body; read the rest so BodyLength reports what the client actually sent.
    private static async Task DrainUnreadBodyAsync(HttpContext context, CountingReadStream body)
    {
        if (context.WebSockets.IsWebSocketRequest || context.RequestAborted.IsCancellationRequested)
            return;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
            return;
        try
        {
            var buffer = new byte[16 * 1024];
            while (await body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            // The client went away or broke framing mid-body: record what arrived.
        }
    }
}
