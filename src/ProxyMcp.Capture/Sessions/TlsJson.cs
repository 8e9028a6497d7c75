using System.Text.Json;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Sessions;

/// <summary>The exchange's TLS record as stored in <c>details.tls</c>; the fingerprints are also indexed columns.</summary>
internal static class TlsJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static string? Write(ExchangeTls? tls) => tls is null ? null : JsonSerializer.Serialize(tls, Options);

    public static ExchangeTls? Read(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        try
        {
            return JsonSerializer.Deserialize<ExchangeTls>(json, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
