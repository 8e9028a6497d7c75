using System.Text.Json;

namespace ProxyMcp.TestSupport;

/// <summary>The JSON body of <c>/upload</c>: how many bytes arrived and their SHA-256 (lower-case hex).</summary>
public sealed record UploadResponse(long Bytes, string Sha256)
{
    public static UploadResponse Parse(string json) =>
        JsonSerializer.Deserialize<UploadResponse>(json, JsonSerializerOptions.Web)
        ?? throw new JsonException("The upload body was JSON null.");
}
