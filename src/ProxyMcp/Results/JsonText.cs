using System.Text.Json;
using System.Text.Json.Nodes;
using ProxyMcp.Capture.Serialization;

namespace ProxyMcp.Results;

/// <summary>How result JSON is written: compact for tools, 2-space indented for resources (spec 0.1, 7).</summary>
public static class JsonText
{
    // Minimal escaping keeps '<', non-ASCII and emoji readable and short (the output cap counts characters); the text
    // never lands in HTML.
    private static readonly JsonSerializerOptions CompactOptions = new()
    {
        Encoder = MinimalJsonEncoder.Instance,
    };

    private static readonly JsonSerializerOptions IndentedOptions = new()
    {
        Encoder = MinimalJsonEncoder.Instance,
        WriteIndented = true,
    };

    public static string Compact(JsonNode node) => node.ToJsonString(CompactOptions);

    public static string Indented(JsonNode node) => node.ToJsonString(IndentedOptions);
}
