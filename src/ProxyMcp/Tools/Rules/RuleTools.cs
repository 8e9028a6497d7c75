using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Engine.Rules;
using ProxyMcp.Proxy;
using ProxyMcp.Results;

namespace ProxyMcp.Tools.Rules;

/// <summary>proxy_add_rule … proxy_disable_rule (spec 5.4). Changes apply to the next request; nothing restarts.</summary>
[McpServerToolType]
public sealed class RuleTools(ProxyRuntime runtime)
{
    private const string MatcherHelp =
        "Conditions, all optional and AND-ed: {method, urlPattern (regex over the full URL incl. query), hostname " +
        "(case-insensitive, '*.example.com' for subdomains), pathPattern (regex over path+query), headers ({name: value}, " +
        "value '/regex/' or '/regex/i' for a regex), bodyIncludes (substring of the decoded request body)}. {} matches everything.";

    private const string HandlerHelp =
        "{type: mock|passthrough|forward|drop, status, body, headers (mock), forwardTo ('http://host:port', forward), " +
        "delayMs, transformRequest {updateHeaders {name: value|null}, replaceMethod, matchReplaceBody [[match, replacement]], " +
        "regex, rewriteUrl {pattern, replacement}}, transformResponse {updateHeaders, replaceStatus, matchReplaceBody, regex}}.";

    private RuleStore Rules => runtime.Engine.Rules;

    [McpServerTool(Name = "proxy_add_rule")]
    [Description("Add an interception rule (enabled). The first enabled rule in priority order handles a request. " +
                 "Takes effect for the next request without restarting the proxy; invalid rules are rejected and not stored.")]
    public CallToolResult Add(
        [Description("What the rule is for.")] string description,
        [Description("Matcher object. " + MatcherHelp)] JsonElement matcher,
        [Description("Handler object. " + HandlerHelp)] JsonElement handler,
        [Description("Lower runs first (default 100).")] double priority = 100)
    {
        var rule = Rules.Add(description ?? "", ToolArguments.Integer(priority, "priority", int.MinValue, int.MaxValue),
            RuleJson.ReadMatcher(matcher), RuleJson.ReadHandler(handler));
        var result = ToolResult.Success();
        result["rule"] = RuleJson.Write(rule);
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_update_rule")]
    [Description("Change a rule's description, priority, matcher or handler (matcher and handler are replaced as a whole).")]
    public CallToolResult Update(
        [Description("The rule id, e.g. rule_3.")] string rule_id,
        [Description("New description.")] string? description = null,
        [Description("New priority.")] double? priority = null,
        [Description("New matcher (replaces the old one). " + MatcherHelp)] JsonElement? matcher = null,
        [Description("New handler (replaces the old one). " + HandlerHelp)] JsonElement? handler = null)
    {
        var id = RuleId(rule_id);
        var rule = Rules.Update(id,
            description,
            ToolArguments.OptionalInteger(priority, "priority", int.MinValue, int.MaxValue),
            matcher is { ValueKind: not JsonValueKind.Null } m ? RuleJson.ReadMatcher(m) : null,
            handler is { ValueKind: not JsonValueKind.Null } h ? RuleJson.ReadHandler(h) : null);
        var result = ToolResult.Success();
        result["rule"] = RuleJson.Write(rule);
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_remove_rule", Destructive = true)]
    [Description("Delete a rule.")]
    public CallToolResult Remove([Description("The rule id, e.g. rule_3.")] string rule_id)
    {
        var id = ToolArguments.RequiredText(rule_id, "rule_id").Trim();
        if (!Rules.Remove(id)) throw new McpException($"Rule '{id}' not found");
        var result = ToolResult.Success();
        result["message"] = $"Rule '{id}' removed.";
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_list_rules", ReadOnly = true)]
    [Description("All rules in evaluation order (priority, then creation), with hit counts.")]
    public CallToolResult List()
    {
        var rules = new JsonArray();
        foreach (var rule in Rules.Current.Ordered) rules.Add(RuleJson.Write(rule));
        var result = ToolResult.Success();
        result["count"] = rules.Count;
        result["rules"] = rules;
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_enable_rule")]
    [Description("Enable a rule.")]
    public CallToolResult Enable([Description("The rule id.")] string rule_id) => SetEnabled(rule_id, true);

    [McpServerTool(Name = "proxy_disable_rule")]
    [Description("Disable a rule (it stays listed and can be re-enabled).")]
    public CallToolResult Disable([Description("The rule id.")] string rule_id) => SetEnabled(rule_id, false);

    [McpServerTool(Name = "proxy_test_rule_match", ReadOnly = true)]
    [Description("Explain which rules match a request, check by check, with the same matcher code live traffic uses. " +
                 "mode 'simulate' takes a request object; mode 'exchange' replays a captured exchange (its body preview).")]
    public CallToolResult Test(
        [Description("simulate (default) or exchange.")] [AllowedValues("simulate", "exchange")] string mode = "simulate",
        [Description("For simulate: {method (default GET), url (required, absolute), hostname, path, headers {name: value}, body}.")]
        JsonElement? request = null,
        [Description("For exchange: a captured exchange id.")] string? exchange_id = null,
        [Description("Also evaluate disabled rules (they can match but never win). Default true.")] bool include_disabled = true,
        [Description("Evaluate only the first N rules in priority order (negative: all).")] double? limit_rules = null,
        [Description("Skip this many entries of results (a long list is capped and says next_offset); counts and the winner always cover every evaluated rule.")]
        double offset = 0)
    {
        var chosenMode = ToolArguments.OptionalChoice(mode, "mode", "simulate", "exchange") ?? "simulate";
        RuleRequest ruleRequest;
        string? exchangeId = null;
        if (chosenMode == "exchange")
        {
            exchangeId = ToolArguments.OptionalText(exchange_id)?.Trim() ?? throw new McpException("exchange_id is required when mode='exchange'");
            var exchange = runtime.Capture.Find(exchangeId) ?? throw new McpException($"Exchange '{exchangeId}' not found");
            ruleRequest = FromExchange(exchange);
        }
        else
        {
            if (request is not { ValueKind: JsonValueKind.Object } requestElement) throw new McpException("request is required when mode='simulate'");
            ruleRequest = Simulated(requestElement);
        }
        // Spec 3.6 applies the limit only when it is >= 0, so a negative one means every rule; a huge one is clamped.
        int? limit = limit_rules is { } given && ToolArguments.Clamped(given, "limit_rules", -1, int.MaxValue) is >= 0 and var n ? n : null;
        var skip = ToolArguments.Clamped(offset, "offset", 0, int.MaxValue);

        var all = Rules.Current.Ordered;
        var evaluated = all.Where(r => include_disabled || r.Rule.Enabled).Take(limit ?? int.MaxValue).ToList();
        var results = new JsonArray();
        var matched = 0;
        var eligible = 0;
        JsonObject? winner = null;
        foreach (var (index, rule) in evaluated.Index())
        {
            var checks = rule.Explain(ruleRequest);
            var isMatch = checks.AllPassed;
            var isEligible = isMatch && rule.Rule.Enabled;
            if (isMatch) matched++;
            if (isEligible) eligible++;
            if (isEligible && winner is null)
            {
                winner = new JsonObject
                {
                    ["ruleId"] = rule.Rule.Id,
                    ["priority"] = rule.Rule.Priority,
                    ["description"] = rule.Rule.Description,
                    ["handlerType"] = rule.Rule.Handler.Type,
                };
            }
            if (index < skip) continue;
            results.Add(new JsonObject
            {
                ["ruleId"] = rule.Rule.Id,
                ["enabled"] = rule.Rule.Enabled,
                ["priority"] = rule.Rule.Priority,
                ["description"] = rule.Rule.Description,
                ["matched"] = isMatch,
                ["eligible"] = isEligible,
                ["checks"] = new JsonObject
                {
                    ["method"] = Check(checks.Method),
                    ["urlPattern"] = Check(checks.UrlPattern),
                    ["hostname"] = Check(checks.Hostname),
                    ["pathPattern"] = Check(checks.PathPattern),
                    ["headers"] = Check(checks.Headers),
                    ["bodyIncludes"] = Check(checks.BodyIncludes),
                },
            });
        }
        var headers = new JsonObject();
        foreach (var (name, value) in ruleRequest.Headers.ToJoinedMap()) headers[name] = value;
        var body = ToolResult.Success();
        body["mode"] = chosenMode;
        if (exchangeId is not null) body["exchange_id"] = exchangeId;
        body["result"] = new JsonObject
        {
            ["request"] = new JsonObject
            {
                ["method"] = ruleRequest.Method,
                ["url"] = ruleRequest.Url,
                ["hostname"] = ruleRequest.Hostname,
                ["path"] = ruleRequest.Path,
                ["headers"] = headers,
                ["body"] = ruleRequest.Body,
            },
            ["includeDisabled"] = include_disabled,
            ["evaluatedCount"] = evaluated.Count,
            ["totalRules"] = all.Length,
            ["results"] = results,
            ["matchedCount"] = matched,
            ["effectiveMatchCount"] = eligible,
            ["effectiveWinner"] = winner,
        };
        return ToolResult.Ok(body, new CapPage("results", skip, evaluated.Count, Container: "result"));
    }

    private CallToolResult SetEnabled(string ruleId, bool enabled)
    {
        var id = RuleId(ruleId);
        Rules.SetEnabled(id, enabled);
        var result = ToolResult.Success();
        result["message"] = $"Rule '{id}' {(enabled ? "enabled" : "disabled")}.";
        return ToolResult.Ok(result);
    }

    private string RuleId(string? ruleId)
    {
        var id = ToolArguments.RequiredText(ruleId, "rule_id").Trim();
        return Rules.TryGet(id) is null ? throw new McpException($"Rule '{id}' not found") : id;
    }

    private static JsonObject Check(RuleCheck check)
    {
        var json = new JsonObject { ["applies"] = check.Applies, ["passed"] = check.Passed };
        if (check.Expected is not null) json["expected"] = JsonSerializer.SerializeToNode(check.Expected);
        if (check.Actual is not null) json["actual"] = JsonSerializer.SerializeToNode(check.Actual);
        if (check.Reason is not null) json["reason"] = check.Reason;
        if (check.Mismatch is { } mismatches)
        {
            var list = new JsonArray();
            foreach (var mismatch in mismatches)
                list.Add(new JsonObject { ["header"] = mismatch.Header, ["expected"] = mismatch.Expected, ["actual"] = mismatch.Actual });
            json["mismatch"] = list;
        }
        return json;
    }

    private static RuleRequest Simulated(JsonElement request)
    {
        string? Text(string name) => request.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var url = Text("url") ?? throw new McpException("request.url is required (an absolute URL such as https://example.com/api)");
        // Read as the proxy reads a request target, so simulation and live traffic meet the same URL and path.
        if (!RequestUrl.TryParse(url, out var uri) || uri.Scheme is not ("http" or "https" or "ws" or "wss"))
            throw new McpException($"Invalid URL '{url}'");
        var headers = new HeaderList();
        if (request.TryGetProperty("headers", out var headerElement) && headerElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var header in headerElement.EnumerateObject())
                headers.Add(header.Name.ToLowerInvariant(), header.Value.ValueKind == JsonValueKind.String ? header.Value.GetString()! : header.Value.GetRawText());
        }
        return new RuleRequest
        {
            // Spec 3.6: the method given or GET, so an empty one is GET too.
            Method = (Text("method") is { Length: > 0 } method ? method : "GET").ToUpperInvariant(),
            Url = uri.AbsoluteUri,
            Hostname = (Text("hostname") ?? uri.IdnHost).ToLowerInvariant(),
            Path = Text("path") ?? uri.PathAndQuery,
            Headers = headers,
            Body = Text("body") ?? "",
        };
    }

    private static RuleRequest FromExchange(Exchange exchange) => new()
    {
        Method = exchange.Request.Method,
        Url = exchange.Request.Url,
        Hostname = exchange.Request.Hostname,
        Path = exchange.Request.Path,
        Headers = exchange.Request.Headers,
        Body = exchange.Request.BodyPreview,
    };
}
