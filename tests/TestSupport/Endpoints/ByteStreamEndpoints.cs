using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace ProxyMcp.TestSupport.Endpoints;

/// <summary>/bytes streams the <see cref="BytePattern"/> with flat memory; /reset breaks the connection mid-body.</summary>
internal static class ByteStreamEndpoints
{
    private const long MaxSize = 16L * 1024 * 1024 * 1024;
    private const int MaxChunk = 1024 * 1024;

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/bytes", BytesAsync);
        routes.MapGet("/reset", ResetAsync);
    }

    // /bytes?size=N&chunk=M[&length=1]: chunked by default so the proxy's streaming path is exercised without a length hint.
    private static async Task BytesAsync(HttpContext context)
    {
        if (!QueryValues.TryGet(context, "size", 1024, 0, MaxSize, out var size))
        {
            await QueryValues.RejectAsync(context, "size", 0, MaxSize).ConfigureAwait(false);
            return;
        }

        if (!QueryValues.TryGet(context, "chunk", 64 * 1024, 1, MaxChunk, out var chunk))
        {
            await QueryValues.RejectAsync(context, "chunk", 1, MaxChunk).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/octet-stream";
        if (context.Request.Query["length"] == "1")
            context.Response.ContentLength = size;
        await WritePatternAsync(context, size, (int)chunk, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task ResetAsync(HttpContext context)
    {
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = OriginServer.ResetDeclaredLength;
        await WritePatternAsync(context, OriginServer.ResetSentLength, OriginServer.ResetSentLength, context.RequestAborted).ConfigureAwait(false);
        // Flushed bytes may still sit in the transport; give them a moment to reach the socket so the
        // client sees headers and a partial body before the abort, rather than a bare connection failure.
        await Task.Delay(100, context.RequestAborted).ConfigureAwait(false);
        context.Abort();
    }

    private static async Task WritePatternAsync(HttpContext context, long count, int chunk, CancellationToken cancellationToken)
    {
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var body = context.Response.Body;
        var buffer = new byte[(int)Math.Min(chunk, Math.Max(count, 1))];
        for (long position = 0; position < count;)
        {
            var size = (int)Math.Min(buffer.Length, count - position);
            BytePattern.Fill(buffer.AsSpan(0, size), position);
            await body.WriteAsync(buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
            await body.FlushAsync(cancellationToken).ConfigureAwait(false);
            position += size;
        }
    }
}
