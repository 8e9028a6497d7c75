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
            if (!properties.TryGetProperty(name, out var schema))
            {
                // Unknown arguments are ignored, as proxy-mcp's schemas strip them, unless one is a near miss of a real
                // name: "priorty" silently left a rule at the default priority.
                if (NearMiss(name, properties) is { } meant) return $"unknown argument '{name}' (did you mean '{meant}'?)";
                continue;
            }
            if (!schema.TryGetProperty("type", out var type)) continue;
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

    private static string? NearMiss(string name, JsonElement properties)
    {
        if (name.Length < 4) return null;
        return properties.EnumerateObject()
            .Select(p => p.Name)
            .Where(known => EditDistance(name.ToLowerInvariant(), known.ToLowerInvariant()) <= (known.Length < 8 ? 1 : 2))
            .FirstOrDefault();
    }

    /// <summary>Levenshtein distance with adjacent transpositions counted as one edit.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
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
