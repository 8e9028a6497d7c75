using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ProxyMcp.TestSupport.Endpoints;

/// <summary>/gzip, /br, /deflate, /zstd: <see cref="CompressedContent.ExpectedText"/> always encoded, whatever Accept-Encoding says.</summary>
internal static class CompressedEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        foreach (var encoding in CompressedContent.Encodings)
            routes.MapGet("/" + encoding, context => ServeAsync(context, encoding));
    }

    private static async Task ServeAsync(HttpContext context, string encoding)
    {
        var body = CompressedContent.EncodedBody(encoding);
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.ContentEncoding = encoding;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
