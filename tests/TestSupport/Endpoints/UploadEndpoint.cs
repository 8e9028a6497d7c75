using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ProxyMcp.TestSupport.Endpoints;

/// <summary>POST /upload: hashes the body as it streams in and answers with an <see cref="UploadResponse"/>.</summary>
internal static class UploadEndpoint
{
    public static void Map(IEndpointRouteBuilder routes) => routes.MapPost("/upload", UploadAsync);

    private static async Task UploadAsync(HttpContext context)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        var result = new UploadResponse(total, Convert.ToHexStringLower(hash.GetHashAndReset()));
        await context.Response.WriteAsJsonAsync(result, System.Text.Json.JsonSerializerOptions.Web, context.RequestAborted).ConfigureAwait(false);
    }
}
