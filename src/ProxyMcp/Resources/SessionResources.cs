using System.ComponentModel;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Capture.Sessions;
using ProxyMcp.Proxy;
using ProxyMcp.Results;

namespace ProxyMcp.Resources;

/// <summary>proxy://sessions and the per-session summary, timeline and findings templates (spec 7.2–7.4), each computed in SQL.</summary>
[McpServerResourceType]
public sealed class SessionResources(ProxyRuntime runtime)
{
    public const string SessionsUri = "proxy://sessions";
    public const string SummaryTemplate = "proxy://sessions/{session_id}/summary";
    public const string TimelineTemplate = "proxy://sessions/{session_id}/timeline";
    public const string FindingsTemplate = "proxy://sessions/{session_id}/findings";

    private SessionStore Store => runtime.Sessions.Store;

    [McpServerResource(UriTemplate = SessionsUri, Name = "proxy_sessions", MimeType = "application/json")]
    [Description("The recording status and every stored session with its disk usage.")]
    public TextResourceContents Sessions()
    {
        var sessions = Store.List();
        var json = new JsonObject
        {
            ["runtime"] = SessionJson.RuntimeStatus(runtime.Sessions.Recorder.Status()),
            ["count"] = sessions.Count,
            ["sessions"] = new JsonArray([.. sessions.Select(s => (JsonNode)SessionJson.Manifest(s, withDiskUsage: true))]),
        };
        return Json(SessionsUri, json);
    }

    [McpServerResource(UriTemplate = SummaryTemplate, Name = "proxy_session_summary", MimeType = "application/json")]
    [Description("A session's manifest and totals: exchanges, average duration, top hostnames, statuses, methods.")]
    public TextResourceContents Summary(string session_id)
    {
        var uri = SummaryTemplate.Replace("{session_id}", session_id, StringComparison.Ordinal);
        if (string.IsNullOrWhiteSpace(session_id)) return Missing(uri);
        using var reader = Open(session_id);
        var totals = SessionStatistics.Totals(reader);
        var statuses = new JsonObject();
        foreach (var (status, count) in totals.Statuses) statuses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = count;
        var methods = new JsonObject();
        foreach (var (method, count) in totals.Methods) methods[method] = count;
        return Json(uri, new JsonObject
        {
            ["manifest"] = SessionJson.Manifest(reader.Manifest()),
            ["totals"] = new JsonObject
            {
                ["exchanges"] = totals.Exchanges,
                ["avgDurationMs"] = totals.AvgDurationMs,
                ["topHostnames"] = new JsonArray([.. totals.TopHostnames.Select(h => (JsonNode)new JsonObject { ["hostname"] = h.Hostname, ["count"] = h.Count })]),
                ["statuses"] = statuses,
                ["methods"] = methods,
            },
        });
    }

    [McpServerResource(UriTemplate = TimelineTemplate, Name = "proxy_session_timeline", MimeType = "application/json")]
    [Description("Exchanges and errors (status >= 400) per minute.")]
    public TextResourceContents Timeline(string session_id)
    {
        var uri = TimelineTemplate.Replace("{session_id}", session_id, StringComparison.Ordinal);
        if (string.IsNullOrWhiteSpace(session_id)) return Missing(uri);
        using var reader = Open(session_id);
        var buckets = SessionStatistics.Timeline(reader);
        return Json(uri, new JsonObject
        {
            ["sessionId"] = session_id,
            ["bucketMs"] = SessionStatistics.BucketMs,
            ["timeline"] = new JsonArray([.. buckets.Select(b => (JsonNode)new JsonObject
            {
                ["bucketStart"] = b.BucketStart,
                ["count"] = b.Count,
                ["errorCount"] = b.ErrorCount,
            })]),
        });
    }

    [McpServerResource(UriTemplate = FindingsTemplate, Name = "proxy_session_findings", MimeType = "application/json")]
    [Description("Endpoints with the most errors, the slowest exchanges and hosts by error rate.")]
    public TextResourceContents Findings(string session_id)
    {
        var uri = FindingsTemplate.Replace("{session_id}", session_id, StringComparison.Ordinal);
        if (string.IsNullOrWhiteSpace(session_id)) return Missing(uri);
        using var reader = Open(session_id);
        var findings = SessionStatistics.Findings(reader);
        return Json(uri, new JsonObject
        {
            ["sessionId"] = session_id,
            ["findings"] = new JsonObject
            {
                ["highErrorEndpoints"] = new JsonArray([.. findings.HighErrorEndpoints.Select(e => (JsonNode)new JsonObject { ["endpoint"] = e.Endpoint, ["errors"] = e.Errors })]),
                ["slowestExchanges"] = new JsonArray([.. findings.SlowestExchanges.Select(e => (JsonNode)new JsonObject
                {
                    ["exchangeId"] = e.ExchangeId,
                    ["duration"] = e.Duration,
                    ["url"] = e.Url,
                })]),
                ["hostErrorRates"] = new JsonArray([.. findings.HostErrorRates.Select(h => (JsonNode)new JsonObject
                {
                    ["hostname"] = h.Hostname,
                    ["total"] = h.Total,
                    ["errors"] = h.Errors,
                    ["errorRate"] = h.ErrorRate,
                })]),
            },
        });
    }

    private static readonly (string Template, string Label, string Description)[] Templates =
    [
        (SummaryTemplate, "Session Summary", "Summary of a persistent session"),
        (TimelineTemplate, "Session Timeline", "Per-minute timeline of a persistent session"),
        (FindingsTemplate, "Session Findings", "Errors and slow exchanges of a persistent session"),
    ];

    /// <summary>
    /// resources/list additions: one URI per stored session and template, as proxy-mcp's template list callbacks give
    /// (the SDK appends the fixed resources to these).
    /// </summary>
    public static ValueTask<ListResourcesResult> ListAsync(RequestContext<ListResourcesRequestParams> request, CancellationToken cancellationToken)
    {
        var store = request.Services!.GetRequiredService<ProxyRuntime>().Sessions.Store;
        var resources = new List<Resource>();
        foreach (var manifest in store.List())
        {
            foreach (var (template, label, description) in Templates)
            {
                resources.Add(new Resource
                {
                    Uri = template.Replace("{session_id}", manifest.Id, StringComparison.Ordinal),
                    Name = $"{label} ({manifest.Id})",
                    Description = manifest.Name ?? description,
                    MimeType = "application/json",
                });
            }
        }
        return ValueTask.FromResult(new ListResourcesResult { Resources = resources });
    }

    /// <summary>Completion of the session_id argument of the session templates: stored ids starting with the typed prefix.</summary>
    public static ValueTask<CompleteResult> CompleteAsync(RequestContext<CompleteRequestParams> request, CancellationToken cancellationToken)
    {
        var values = new List<string>();
        if (request.Params is { Ref: ResourceTemplateReference reference, Argument: { Name: "session_id" } argument }
            && reference.Uri?.StartsWith("proxy://sessions/", StringComparison.Ordinal) == true)
        {
            values.AddRange(request.Services!.GetRequiredService<ProxyRuntime>().Sessions.Store.Ids(argument.Value ?? ""));
        }
        const int Max = 100; // the MCP limit for one completion answer
        return ValueTask.FromResult(new CompleteResult
        {
            Completion = new Completion { Values = [.. values.Take(Max)], Total = values.Count, HasMore = values.Count > Max },
        });
    }

    private SessionReader Open(string sessionId)
    {
        try
        {
            return Store.Open(sessionId.Trim());
        }
        catch (SessionException e)
        {
            // MCP's "resource not found" (-32002), not a generic internal error: the id is unknown or malformed.
            throw new McpProtocolException(e.Message, e, McpErrorCode.ResourceNotFound);
        }
    }

    private static TextResourceContents Missing(string uri) => Json(uri, new JsonObject { ["error"] = "Missing session_id." });

    private static TextResourceContents Json(string uri, JsonObject json) => new() { Uri = uri, MimeType = "application/json", Text = JsonText.Indented(json) };
}
