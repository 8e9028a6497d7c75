using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace ProxyMcp.Results;

/// <summary>The result envelope every tool returns: one text item of compact JSON whose first key is "status".</summary>
public static class ToolResult
{
    /// <summary>A new success body; tools append their fields after "status".</summary>
    public static JsonObject Success() => new() { ["status"] = "success" };

    /// <summary>The body as the tool result, held under the output cap.</summary>
    public static CallToolResult Ok(JsonObject body, CapPage? page = null) => Text(OutputCap.Fit(body, page), isError: false);

    /// <summary>{"status":"error","error":message} with the MCP isError flag set (spec weakness 20, fixed).</summary>
    public static CallToolResult Error(string message) =>
        Text(JsonText.Compact(new JsonObject { ["status"] = "error", ["error"] = message }), isError: true);

    private static CallToolResult Text(string json, bool isError) => new()
    {
        Content = [new TextContentBlock { Text = json }],
        IsError = isError,
    };
}
