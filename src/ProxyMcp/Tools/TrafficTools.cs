using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Capture.Live;
using ProxyMcp.Capture.Serialization;
using ProxyMcp.Proxy;
using ProxyMcp.Results;

namespace ProxyMcp.Tools;

/// <summary>proxy_list_traffic, proxy_get_exchange, proxy_search_traffic, proxy_clear_traffic over the live capture (spec 5.5).</summary>
[McpServerToolType]
public sealed class TrafficTools(ProxyRuntime runtime)
{
    private const int MaxPage = 1000;

    [McpServerTool(Name = "proxy_list_traffic", ReadOnly = true)]
    [Description("List captured exchanges, oldest first, with optional filters. No bodies: use proxy_get_exchange for one exchange in full.")]
    public CallToolResult List(
        [Description("Page size, clamped to 1-1000 (default 50).")] double limit = 50,
        [Description("Exchanges to skip (after filtering).")] double offset = 0,
        [Description("Exact HTTP method, e.g. GET.")] string? method_filter = null,
        [Description("Case-insensitive substring of the URL.")] string? url_filter = null,
        [Description("Exact response status code, e.g. 404.")] [Range(100, 599)] double? status_filter = null,
        [Description("Case-insensitive substring of the hostname.")] string? hostname_filter = null,
        [Description("Which listener captured it: explicit or transparent.")] [AllowedValues("explicit", "transparent")]
        string? source_filter = null)
    {
        var pageSize = ToolArguments.Clamped(limit, "limit", 1, MaxPage);
        var skip = ToolArguments.Clamped(offset, "offset", 0, int.MaxValue);
        var filter = new TrafficFilter
        {
            Method = ToolArguments.OptionalMethod(method_filter, "method_filter"),
            UrlContains = ToolArguments.OptionalText(url_filter),
            StatusCode = ToolArguments.OptionalInteger(status_filter, "status_filter", 100, 599),
            HostnameContains = ToolArguments.OptionalText(hostname_filter),
            Source = ToolArguments.OptionalChoice(source_filter, "source_filter", "explicit", "transparent"),
        };

        var (total, page) = runtime.Capture.Query(filter, skip, pageSize);
        var items = new JsonArray();
        foreach (var exchange in page) items.Add(TrafficJson.ListItem(exchange));
        var result = ToolResult.Success();
        result["total"] = total;
        result["offset"] = skip;
        result["limit"] = pageSize;
        result["showing"] = page.Count;
        result["exchanges"] = items;
        return ToolResult.Ok(result, new CapPage("exchanges", skip, total));
    }

    [McpServerTool(Name = "proxy_get_exchange", ReadOnly = true)]
    [Description("One captured exchange in full: request and response headers, body previews, TLS data, timings and error.")]
    public CallToolResult Get([Description("The exchange id from proxy_list_traffic or proxy_search_traffic.")] string exchange_id)
    {
        var id = ToolArguments.RequiredText(exchange_id, "exchange_id").Trim();
        var exchange = runtime.Capture.Find(id) ?? throw new McpException($"Exchange '{id}' not found");
        var result = ToolResult.Success();
        result["exchange"] = ExchangeJson.ToNode(exchange);
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_search_traffic", ReadOnly = true)]
    [Description("Case-insensitive search of captured exchanges: URL, header names and values, request and response body previews. Oldest first.")]
    public CallToolResult Search(
        [Description("Text to look for.")] string query,
        [Description("Max results, clamped to 1-1000 (default 20).")] double limit = 20,
        [Description("Matches to skip, for paging.")] double offset = 0)
    {
        var text = ToolArguments.RequiredText(query, "query");
        var pageSize = ToolArguments.Clamped(limit, "limit", 1, MaxPage);
        var skip = ToolArguments.Clamped(offset, "offset", 0, int.MaxValue);

        var (total, matches) = runtime.Capture.Search(text, (int)Math.Min((long)skip + pageSize, int.MaxValue));
        var results = new JsonArray();
        foreach (var exchange in matches.Skip(skip)) results.Add(TrafficJson.SearchItem(exchange));
        var result = ToolResult.Success();
        result["query"] = text;
        result["matches"] = results.Count;
        result["total"] = total;
        result["results"] = results;
        return ToolResult.Ok(result, new CapPage("results", skip, total, CountProperty: "matches"));
    }

    [McpServerTool(Name = "proxy_clear_traffic", Destructive = true, Idempotent = true)]
    [Description("Delete every captured exchange from memory.")]
    public CallToolResult Clear()
    {
        var result = ToolResult.Success();
        result["cleared"] = runtime.Capture.Clear();
        return ToolResult.Ok(result);
    }
}
