using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProxyMcp.Results;

/// <summary>How result JSON is written: compact for tools, 2-space indented for resources (spec 0.1, 7).</summary>
public static class JsonText
{
    // Relaxed escaping keeps quotes, '<' and non-ASCII readable and short; the text never lands in HTML.
    private static readonly JsonSerializerOptions CompactOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions IndentedOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    };

    public static string Compact(JsonNode node) => node.ToJsonString(CompactOptions);

    public static string Indented(JsonNode node) => node.ToJsonString(IndentedOptions);
}
