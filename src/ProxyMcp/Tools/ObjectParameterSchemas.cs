using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Server;
using ProxyMcp.Engine.Rules;

namespace ProxyMcp.Tools;

/// <summary>
/// Gives the object parameters the tools take as raw JSON (rule matchers and handlers, header maps, a simulated
/// request) the object schema the spec documents. The SDK describes a <see cref="JsonElement"/> parameter as
/// <c>{}</c> (any value), which leaves clients and models guessing. The schemas name the spec's fields without
/// closing the objects (extensions such as <c>delayMs</c> stay accepted); the tools still validate every field.
/// </summary>
internal static class ObjectParameterSchemas
{
    private static readonly Dictionary<string, Dictionary<string, JsonObject>> Schemas = new(StringComparer.Ordinal)
    {
        ["proxy_add_rule"] = new() { ["matcher"] = Matcher(), ["handler"] = Handler() },
        ["proxy_update_rule"] = new() { ["matcher"] = Matcher(), ["handler"] = Handler() },
        ["proxy_inject_headers"] = new()
        {
            ["headers"] = HeaderUpdates(),
        },
        ["proxy_test_rule_match"] = new()
        {
            ["request"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["method"] = Typed("string"),
                    ["url"] = Typed("string"),
                    ["hostname"] = Typed("string"),
                    ["path"] = Typed("string"),
                    ["headers"] = StringMap(),
                    ["body"] = Typed("string"),
                },
                ["required"] = new JsonArray("url"),
            },
        },
    };

    /// <summary>Rewrites the input schema of the tools above; other tools are left as the SDK made them.</summary>
    public static void Apply(IEnumerable<McpServerTool> tools)
    {
        foreach (var tool in tools)
        {
            if (!Schemas.TryGetValue(tool.ProtocolTool.Name, out var parameters)) continue;
            if (JsonNode.Parse(tool.ProtocolTool.InputSchema.GetRawText()) is not JsonObject schema
                || schema["properties"] is not JsonObject properties)
                continue;
            foreach (var (name, replacement) in parameters)
            {
                if (properties[name] is not JsonObject existing) continue;
                var merged = (JsonObject)replacement.DeepClone();
                // Keep the SDK's description (our [Description] text), and null for optional parameters.
                if (existing["description"] is { } description) merged["description"] = description.DeepClone();
                if (!IsRequired(schema, name)) merged["type"] = new JsonArray("object", "null");
                properties[name] = merged;
            }
            tool.ProtocolTool.InputSchema = JsonSerializer.SerializeToElement(schema);
        }
    }

    private static bool IsRequired(JsonObject schema, string name) =>
        schema["required"] is JsonArray required && required.Any(r => r?.GetValue<string>() == name);

    private static JsonObject Typed(string type) => new() { ["type"] = type };

    private static JsonObject Matcher() => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["method"] = Typed("string"),
            ["urlPattern"] = Typed("string"),
            ["hostname"] = Typed("string"),
            ["pathPattern"] = Typed("string"),
            ["headers"] = StringMap(),
            ["bodyIncludes"] = Typed("string"),
        },
    };

    private static JsonObject Handler() => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. CompiledHandler.Types.Select(t => (JsonNode)t)]) },
            ["status"] = Typed("number"),
            ["body"] = Typed("string"),
            ["headers"] = StringMap(),
            ["forwardTo"] = Typed("string"),
            ["delayMs"] = Typed("integer"),
            ["transformRequest"] = WithUrlRewrite(Transform("replaceMethod", "string")),
            ["transformResponse"] = Transform("replaceStatus", "number"),
        },
        ["required"] = new JsonArray("type"),
    };

    private static JsonObject Transform(string replaceName, string replaceType) => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["updateHeaders"] = HeaderUpdates(),
            [replaceName] = Typed(replaceType),
            ["matchReplaceBody"] = new JsonObject
            {
                ["type"] = "array",
                ["items"] = new JsonObject { ["type"] = "array", ["items"] = Typed("string"), ["minItems"] = 2, ["maxItems"] = 2 },
            },
            ["regex"] = Typed("boolean"),
        },
    };

    /// <summary>Our extension of the request transform: rewrite the URL with a regular expression.</summary>
    private static JsonObject WithUrlRewrite(JsonObject transform)
    {
        ((JsonObject)transform["properties"]!)["rewriteUrl"] = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject { ["pattern"] = Typed("string"), ["replacement"] = Typed("string") },
            ["required"] = new JsonArray("pattern"),
        };
        return transform;
    }

    private static JsonObject StringMap() => new() { ["type"] = "object", ["additionalProperties"] = Typed("string") };

    /// <summary>{name: value}, where a null value removes the header.</summary>
    private static JsonObject HeaderUpdates() => new() { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = new JsonArray("string", "null") } };
}
