using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Engine.Rules;
using ProxyMcp.Proxy;
using ProxyMcp.Results;

namespace ProxyMcp.Tools.Rules;

/// <summary>proxy_inject_headers, proxy_rewrite_url, proxy_mock_response (spec 5.6): each creates one ordinary rule.</summary>
[McpServerToolType]
public sealed class ModificationTools(ProxyRuntime runtime)
{
    [McpServerTool(Name = "proxy_inject_headers")]
    [Description("Create a passthrough rule that sets (or, with null, removes) headers on matching requests and/or responses.")]
    public CallToolResult InjectHeaders(
        [Description("Headers to set: {name: value}; a null value removes the header.")] JsonElement headers,
        [Description("Only for this host (case-insensitive, '*.example.com' for subdomains).")] string? hostname = null,
        [Description("Only for URLs matching this regex.")] string? url_pattern = null,
        [Description("request (default), response or both.")] [AllowedValues("request", "response", "both")] string direction = "request",
        [Description("Rule priority (default 50).")] double priority = 50)
    {
        var updates = ReadHeaderUpdates(headers);
        var where = ToolArguments.OptionalChoice(direction, "direction", "request", "response", "both") ?? "request";
        var handler = new RuleHandler
        {
            Type = "passthrough",
            TransformRequest = where is "request" or "both" ? new RequestTransform { UpdateHeaders = updates } : null,
            TransformResponse = where is "response" or "both" ? new ResponseTransform { UpdateHeaders = updates } : null,
        };
        var description = $"Inject headers: {string.Join(", ", updates.Keys)} ({where})";
        return Created(description, priority, new RuleMatcher { Hostname = Optional(hostname), UrlPattern = Optional(url_pattern) }, handler);
    }

    [McpServerTool(Name = "proxy_rewrite_url")]
    [Description("Create a rule that rewrites the URL of matching requests: match_pattern is a regex over the full URL, " +
                 "replace_with its replacement ($1 for groups). The request then goes to the rewritten URL.")]
    public CallToolResult RewriteUrl(
        [Description("Regex over the full URL (also the rule's urlPattern).")] string match_pattern,
        [Description("Replacement text; $1, $2 … refer to groups.")] string replace_with,
        [Description("Only for this host.")] string? hostname = null,
        [Description("Rule priority (default 50).")] double priority = 50)
    {
        var pattern = ToolArguments.RequiredText(match_pattern, "match_pattern");
        var handler = new RuleHandler
        {
            Type = "passthrough",
            TransformRequest = new RequestTransform { RewriteUrl = new UrlRewrite(pattern, replace_with ?? "") },
        };
        return Created($"URL rewrite: {pattern} → {replace_with}", priority,
            new RuleMatcher { Hostname = Optional(hostname), UrlPattern = pattern }, handler);
    }

    [McpServerTool(Name = "proxy_mock_response")]
    [Description("Create a rule that answers matching requests with a fixed response, without contacting the origin.")]
    public CallToolResult MockResponse(
        [Description("HTTP status to answer with, 200-599.")] double status,
        [Description("Only this HTTP method.")] string? method = null,
        [Description("Only URLs matching this regex.")] string? url_pattern = null,
        [Description("Only this host.")] string? hostname = null,
        [Description("Response body (default empty).")] string? body = "",
        [Description("Content-Type of the response (default application/json).")] string content_type = "application/json",
        [Description("Rule priority (default 10).")] double priority = 10)
    {
        var code = ToolArguments.Integer(status, "status", 200, 599);
        var methodToken = ToolArguments.OptionalMethod(method, "method");
        var handler = new RuleHandler
        {
            Type = "mock",
            Status = code,
            Body = body ?? "",
            Headers = new Dictionary<string, string> { ["content-type"] = string.IsNullOrWhiteSpace(content_type) ? "application/json" : content_type },
        };
        var target = Optional(url_pattern) ?? Optional(hostname) ?? "*";
        return Created($"Mock {code} for {methodToken ?? "ANY"} {target}", priority,
            new RuleMatcher { Method = methodToken, UrlPattern = Optional(url_pattern), Hostname = Optional(hostname) }, handler);
    }

    private CallToolResult Created(string description, double priority, RuleMatcher matcher, RuleHandler handler)
    {
        var rule = runtime.Engine.Rules.Add(description, ToolArguments.Integer(priority, "priority", int.MinValue, int.MaxValue), matcher, handler);
        var result = ToolResult.Success();
        result["rule_id"] = rule.Rule.Id;
        result["description"] = description;
        result["rule"] = RuleJson.Write(rule);
        return ToolResult.Ok(result);
    }

    private static string? Optional(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static Dictionary<string, string?> ReadHeaderUpdates(JsonElement headers)
    {
        if (headers.ValueKind != JsonValueKind.Object) throw new McpException("headers must be an object of header name to value (null removes)");
        var updates = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in headers.EnumerateObject())
        {
            updates[header.Name] = header.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => header.Value.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => header.Value.GetRawText(),
                _ => throw new McpException($"headers['{header.Name}'] must be a string or null"),
            };
        }
        if (updates.Count == 0) throw new McpException("headers must name at least one header");
        return updates;
    }
}
