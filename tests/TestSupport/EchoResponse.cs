using System.Text.Json;

namespace ProxyMcp.TestSupport;

/// <summary>The JSON body of <c>/echo</c>: the request exactly as the origin received it.</summary>
/// <param name="Query">Query string including the leading '?', or empty.</param>
/// <param name="Headers">Header name → every value received for it.</param>
public sealed record EchoResponse(
    string Method,
    string Path,
    string Query,
    string Protocol,
    string Scheme,
    string Host,
    IReadOnlyDictionary<string, string[]> Headers,
    string Body,
    long BodyLength)
{
    public static EchoResponse Parse(string json) =>
        JsonSerializer.Deserialize<EchoResponse>(json, JsonSerializerOptions.Web)
        ?? throw new JsonException("The echo body was JSON null.");

    /// <summary>The header's values joined with ", " (name matched case-insensitively), or null when absent.</summary>
    public string? Header(string name)
    {
        var values = Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).SelectMany(h => h.Value).ToArray();
        return values.Length > 0 ? string.Join(", ", values) : null;
    }
}
