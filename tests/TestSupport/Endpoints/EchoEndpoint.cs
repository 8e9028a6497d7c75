using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ProxyMcp.TestSupport.Endpoints;

/// <summary>/echo (any method): answers with the request as received, as an <see cref="EchoResponse"/>.</summary>
internal static class EchoEndpoint
{
    public static void Map(IEndpointRouteBuilder routes) => routes.Map("/echo", EchoAsync);

    private static async Task EchoAsync(HttpContext context)
    {
        var request = context.Request;
        // Echo bodies are small test payloads; buffering keeps the JSON simple.
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);

        var echo = new EchoResponse(
            request.Method,
            request.Path.Value ?? "",
            request.QueryString.Value ?? "",
            request.Protocol,
            request.Scheme,
            request.Host.Value ?? "",
            request.Headers.ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? "").ToArray(), StringComparer.OrdinalIgnoreCase),
            Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length),
            body.Length);
        await context.Response.WriteAsJsonAsync(echo, System.Text.Json.JsonSerializerOptions.Web, context.RequestAborted).ConfigureAwait(false);
    }
}
