using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Results;

namespace ProxyMcp.Tools;

/// <summary>
/// Turns any exception a tool call raises into the error envelope with isError set, so a failing tool never
/// breaks the session and the agent always gets a message it can act on.
/// </summary>
internal static class ToolFailureFilter
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Wrap(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            try
            {
                // Checked before binding: the SDK would read "5" as 5 for a number parameter, where proxy-mcp's schema
                // validation refused it; a wrong type is a mistake worth naming, not guessing at.
                var tool = (request.MatchedPrimitive as McpServerTool)?.ProtocolTool;
                if (DescribeArguments(tool, request.Params?.Arguments) is { } problem) return ToolResult.Error(problem);
                return await next(request, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (McpProtocolException)
            {
                // Unknown tool and similar protocol faults stay JSON-RPC errors.
                throw;
            }
            catch (McpException e)
            {
                return ToolResult.Error(e.Message);
            }
            catch (Exception e) when (e is JsonException || e.GetType() == typeof(ArgumentException))
            {
                // (Subclasses such as ArgumentOutOfRangeException come from our own code, not from binding: a bug, logged below.)
                // Raised while binding arguments, before the tool body runs: a wrong JSON type or a missing argument.
                var tool = (request.MatchedPrimitive as McpServerTool)?.ProtocolTool;
                return ToolResult.Error(DescribeArguments(tool, request.Params?.Arguments) ?? "Invalid arguments: " + e.Message);
            }
            catch (Exception e)
            {
                request.Services?.GetService<ILoggerFactory>()?.CreateLogger(typeof(ToolFailureFilter))
                    .LogWarning(e, "Tool {Tool} failed", request.Params?.Name);
                return ToolResult.Error(e.Message);
            }
        };

    /// <summary>Names the first argument that is missing or of the wrong JSON type, judged by the tool's input schema.</summary>
    internal static string? DescribeArguments(Tool? tool, IDictionary<string, JsonElement>? arguments)
    {
        if (tool is null || tool.InputSchema.ValueKind != JsonValueKind.Object) return null;
        arguments ??= new Dictionary<string, JsonElement>();
        if (tool.InputSchema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()))
            {
                if (name is not null && !arguments.ContainsKey(name)) return $"{name} is required";
            }
        }
        if (!tool.InputSchema.TryGetProperty("properties", out var properties)) return null;
        foreach (var (name, value) in arguments)
        {
            if (!properties.TryGetProperty(name, out var schema) || !schema.TryGetProperty("type", out var type)) continue;
            var allowed = type.ValueKind == JsonValueKind.Array
                ? type.EnumerateArray().Select(t => t.GetString()).ToArray()
                : [type.GetString()];
            if (!allowed.Any(t => Fits(t, value)))
            {
                var expected = allowed.FirstOrDefault(t => t != "null") ?? "null";
                return $"{name} must be {Article(expected)} {expected} (got {Shorten(value.GetRawText())})";
            }
        }
        return null;
    }

    private static string Article(string type) => type is "integer" or "array" or "object" ? "an" : "a";

    private static string Shorten(string json) => json.Length <= 80 ? json : json[..80] + "...";

    private static bool Fits(string? type, JsonElement value) => type switch
    {
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        _ => true,
    };
}
