using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ProxyMcp.TestSupport.Endpoints;

/// <summary>
/// /slow delays the response headers; /slow-body sends headers at once and then trickles the body (after
/// <c>head_delay_ms</c>, and with a Content-Length when <c>content_length=1</c>).
/// </summary>
internal static class SlowEndpoints
{
    private const long MaxDelayMs = 10 * 60 * 1000;
    private const long MaxChunks = 100_000;

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/slow", SlowAsync);
        routes.MapGet("/slow-body", SlowBodyAsync);
    }

    private static async Task SlowAsync(HttpContext context)
    {
        if (!QueryValues.TryGet(context, "delay_ms", 1000, 0, MaxDelayMs, out var delay))
        {
            await QueryValues.RejectAsync(context, "delay_ms", 0, MaxDelayMs).ConfigureAwait(false);
            return;
        }

        await Task.Delay(TimeSpan.FromMilliseconds(delay), context.RequestAborted).ConfigureAwait(false);
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync($"slow after {delay} ms\n", context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task SlowBodyAsync(HttpContext context)
    {
        if (!QueryValues.TryGet(context, "chunks", 5, 1, MaxChunks, out var chunks))
        {
            await QueryValues.RejectAsync(context, "chunks", 1, MaxChunks).ConfigureAwait(false);
            return;
        }

        if (!QueryValues.TryGet(context, "interval_ms", 200, 0, MaxDelayMs, out var interval))
        {
            await QueryValues.RejectAsync(context, "interval_ms", 0, MaxDelayMs).ConfigureAwait(false);
            return;
        }

        if (!QueryValues.TryGet(context, "head_delay_ms", 0, 0, MaxDelayMs, out var headDelay))
        {
            await QueryValues.RejectAsync(context, "head_delay_ms", 0, MaxDelayMs).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        if (context.Request.Query["content_length"] == "1")
        {
            long length = 0;
            for (var i = 0; i < chunks; i++) length += System.Text.Encoding.UTF8.GetByteCount(OriginServer.SlowBodyChunk(i));
            context.Response.ContentLength = length;
        }
        await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        for (var i = 0; i < chunks; i++)
        {
            var delay = i == 0 ? headDelay : interval;
            if (delay > 0)
                await Task.Delay(TimeSpan.FromMilliseconds(delay), context.RequestAborted).ConfigureAwait(false);
            await context.Response.WriteAsync(OriginServer.SlowBodyChunk(i), context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
    }
}
