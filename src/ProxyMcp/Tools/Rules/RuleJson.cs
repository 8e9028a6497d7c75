using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ProxyMcp.Engine.Rules;

namespace ProxyMcp.Tools.Rules;

/// <summary>
/// Reads rule matchers and handlers from tool arguments (strictly: unknown fields and wrong types are named in the error)
/// and writes rules back in proxy-mcp's JSON shape and key order.
/// </summary>
internal static class RuleJson
{
    private static readonly string[] MatcherFields = ["method", "urlPattern", "hostname", "pathPattern", "headers", "bodyIncludes"];
    private static readonly string[] HandlerFields =
        ["type", "status", "body", "headers", "forwardTo", "delayMs", "delay_ms", "transformRequest", "transformResponse"];
    private static readonly string[] RequestTransformFields = ["updateHeaders", "replaceMethod", "matchReplaceBody", "regex", "rewriteUrl"];
    private static readonly string[] ResponseTransformFields = ["updateHeaders", "replaceStatus", "matchReplaceBody", "regex"];

    public static RuleMatcher ReadMatcher(JsonElement element, string name = "matcher")
    {
        RequireObject(element, name, MatcherFields);
        return new RuleMatcher
        {
            Method = OptionalString(element, "method", name),
            UrlPattern = OptionalString(element, "urlPattern", name),
            Hostname = OptionalString(element, "hostname", name),
            PathPattern = OptionalString(element, "pathPattern", name),
            Headers = OptionalStringMap(element, "headers", name),
            BodyIncludes = OptionalString(element, "bodyIncludes", name, allowEmpty: true),
        };
    }

    public static RuleHandler ReadHandler(JsonElement element, string name = "handler")
    {
        RequireObject(element, name, HandlerFields);
        var type = OptionalString(element, "type", name) ?? throw new McpException($"{name}.type is required (one of {string.Join(", ", CompiledHandler.Types)})");
        return new RuleHandler
        {
            Type = type.Trim().ToLowerInvariant(),
            Status = OptionalInteger(element, "status", name),
            Body = OptionalString(element, "body", name, allowEmpty: true),
            Headers = OptionalStringMap(element, "headers", name),
            ForwardTo = OptionalString(element, "forwardTo", name),
            DelayMs = OptionalInteger(element, "delayMs", name) ?? OptionalInteger(element, "delay_ms", name),
            TransformRequest = element.TryGetProperty("transformRequest", out var request) && request.ValueKind != JsonValueKind.Null
                ? ReadRequestTransform(request, $"{name}.transformRequest") : null,
            TransformResponse = element.TryGetProperty("transformResponse", out var response) && response.ValueKind != JsonValueKind.Null
                ? ReadResponseTransform(response, $"{name}.transformResponse") : null,
        };
    }

    private static RequestTransform ReadRequestTransform(JsonElement element, string name)
    {
        RequireObject(element, name, RequestTransformFields);
        UrlRewrite? rewrite = null;
        if (element.TryGetProperty("rewriteUrl", out var rewriteElement) && rewriteElement.ValueKind != JsonValueKind.Null)
        {
            RequireObject(rewriteElement, $"{name}.rewriteUrl", ["pattern", "replacement"]);
            rewrite = new UrlRewrite(
                OptionalString(rewriteElement, "pattern", $"{name}.rewriteUrl") ?? throw new McpException($"{name}.rewriteUrl.pattern is required"),
                OptionalString(rewriteElement, "replacement", $"{name}.rewriteUrl", allowEmpty: true) ?? "");
        }
        return new RequestTransform
        {
            UpdateHeaders = OptionalNullableStringMap(element, "updateHeaders", name),
            ReplaceMethod = OptionalString(element, "replaceMethod", name)?.ToUpperInvariant(),
            MatchReplaceBody = OptionalPairs(element, "matchReplaceBody", name),
            Regex = OptionalBool(element, "regex", name) ?? false,
            RewriteUrl = rewrite,
        };
    }

    private static ResponseTransform ReadResponseTransform(JsonElement element, string name)
    {
        RequireObject(element, name, ResponseTransformFields);
        return new ResponseTransform
        {
            UpdateHeaders = OptionalNullableStringMap(element, "updateHeaders", name),
            ReplaceStatus = OptionalInteger(element, "replaceStatus", name),
            MatchReplaceBody = OptionalPairs(element, "matchReplaceBody", name),
            Regex = OptionalBool(element, "regex", name) ?? false,
        };
    }

    /// <summary>The rule as proxy-mcp shows it: priority, enabled, description, matcher, handler, id, hitCount, createdAt.</summary>
    public static JsonObject Write(CompiledRule compiled)
    {
        var rule = compiled.Rule;
        return new JsonObject
        {
            ["priority"] = rule.Priority,
            ["enabled"] = rule.Enabled,
            ["description"] = rule.Description,
            ["matcher"] = WriteMatcher(rule.Matcher),
            ["handler"] = WriteHandler(rule.Handler),
            ["id"] = rule.Id,
            ["hitCount"] = compiled.HitCount,
            ["createdAt"] = rule.CreatedAt,
        };
    }

    private static JsonObject WriteMatcher(RuleMatcher matcher)
    {
        var json = new JsonObject();
        AddIf(json, "method", matcher.Method);
        AddIf(json, "urlPattern", matcher.UrlPattern);
        AddIf(json, "hostname", matcher.Hostname);
        AddIf(json, "pathPattern", matcher.PathPattern);
        if (matcher.Headers is { } headers) json["headers"] = Map(headers);
        AddIf(json, "bodyIncludes", matcher.BodyIncludes);
        return json;
    }

    private static JsonObject WriteHandler(RuleHandler handler)
    {
        var json = new JsonObject { ["type"] = handler.Type };
        if (handler.Status is { } status) json["status"] = status;
        AddIf(json, "body", handler.Body);
        if (handler.Headers is { } headers) json["headers"] = Map(headers);
        AddIf(json, "forwardTo", handler.ForwardTo);
        if (handler.DelayMs is { } delay) json["delayMs"] = delay;
        if (handler.TransformRequest is { } request)
        {
            var transform = new JsonObject();
            if (request.UpdateHeaders is { } update) transform["updateHeaders"] = NullableMap(update);
            AddIf(transform, "replaceMethod", request.ReplaceMethod);
            if (request.MatchReplaceBody is { } pairs) transform["matchReplaceBody"] = Pairs(pairs);
            if (request.Regex) transform["regex"] = true;
            if (request.RewriteUrl is { } rewrite)
                transform["rewriteUrl"] = new JsonObject { ["pattern"] = rewrite.Pattern, ["replacement"] = rewrite.Replacement };
            json["transformRequest"] = transform;
        }
        if (handler.TransformResponse is { } response)
        {
            var transform = new JsonObject();
            if (response.UpdateHeaders is { } update) transform["updateHeaders"] = NullableMap(update);
            if (response.ReplaceStatus is { } replace) transform["replaceStatus"] = replace;
            if (response.MatchReplaceBody is { } pairs) transform["matchReplaceBody"] = Pairs(pairs);
            if (response.Regex) transform["regex"] = true;
            json["transformResponse"] = transform;
        }
        return json;
    }

    private static void AddIf(JsonObject json, string key, string? value)
    {
        if (value is not null) json[key] = value;
    }

    private static JsonObject Map(IReadOnlyDictionary<string, string> map)
    {
        var json = new JsonObject();
        foreach (var (key, value) in map) json[key] = value;
        return json;
    }

    private static JsonObject NullableMap(IReadOnlyDictionary<string, string?> map)
    {
        var json = new JsonObject();
        foreach (var (key, value) in map) json[key] = value;
        return json;
    }

    private static JsonArray Pairs(IReadOnlyList<IReadOnlyList<string>> pairs)
    {
        var json = new JsonArray();
        foreach (var pair in pairs) json.Add(new JsonArray(pair.Select(p => (JsonNode?)p).ToArray()));
        return json;
    }

    private static void RequireObject(JsonElement element, string name, string[] allowed)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new McpException($"{name} must be an object");
        foreach (var property in element.EnumerateObject())
        {
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
                throw new McpException($"{name} has an unknown field '{property.Name}' (allowed: {string.Join(", ", allowed)})");
        }
    }

    private static string? OptionalString(JsonElement element, string property, string name, bool allowEmpty = false)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) throw new McpException($"{name}.{property} must be a string");
        var text = value.GetString()!;
        if (!allowEmpty && text.Length == 0) throw new McpException($"{name}.{property} must not be empty (omit it instead)");
        return text;
    }

    private static int? OptionalInteger(JsonElement element, string property, string name)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
            throw new McpException($"{name}.{property} must be a whole number");
        return number;
    }

    private static bool? OptionalBool(JsonElement element, string property, string name)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new McpException($"{name}.{property} must be true or false"),
        };
    }

    private static IReadOnlyDictionary<string, string>? OptionalStringMap(JsonElement element, string property, string name)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Object) throw new McpException($"{name}.{property} must be an object of header name to value");
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in value.EnumerateObject())
        {
            map[header.Name] = header.Value.ValueKind switch
            {
                JsonValueKind.String => header.Value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => header.Value.GetRawText(),
                _ => throw new McpException($"{name}.{property}['{header.Name}'] must be a string"),
            };
        }
        return map;
    }

    private static IReadOnlyDictionary<string, string?>? OptionalNullableStringMap(JsonElement element, string property, string name)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Object) throw new McpException($"{name}.{property} must be an object of header name to value (null deletes)");
        var map = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in value.EnumerateObject())
        {
            map[header.Name] = header.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => header.Value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => header.Value.GetRawText(),
                _ => throw new McpException($"{name}.{property}['{header.Name}'] must be a string or null"),
            };
        }
        return map;
    }

    private static IReadOnlyList<IReadOnlyList<string>>? OptionalPairs(JsonElement element, string property, string name)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Array) throw new McpException($"{name}.{property} must be an array of [match, replacement] pairs");
        var pairs = new List<IReadOnlyList<string>>();
        var index = 0;
        foreach (var pair in value.EnumerateArray())
        {
            if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2
                || pair.EnumerateArray().Any(p => p.ValueKind != JsonValueKind.String))
                throw new McpException($"{name}.{property}[{index}] must be a [match, replacement] pair of strings");
            pairs.Add(pair.EnumerateArray().Select(p => p.GetString()!).ToArray());
            index++;
        }
        return pairs;
    }
}
