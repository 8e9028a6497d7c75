using System.Text.Json.Nodes;
using ProxyMcp.Capture.Serialization;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Results;

/// <summary>The per-exchange rows of proxy_list_traffic and proxy_search_traffic (spec 5.5).</summary>
public static class TrafficJson
{
    /// <summary>The spec's list item, plus httpVersion and the error code.</summary>
    public static JsonObject ListItem(Exchange exchange)
    {
        var item = new JsonObject
        {
            ["id"] = exchange.Id,
            ["timestamp"] = exchange.Timestamp,
            ["source"] = exchange.Source ?? "explicit",
            ["method"] = exchange.Request.Method,
            ["url"] = exchange.Request.Url,
            ["hostname"] = exchange.Request.Hostname,
            ["status"] = exchange.Response?.StatusCode,
            ["duration"] = Duration(exchange),
            ["requestSize"] = exchange.Request.BodySize,
            ["responseSize"] = exchange.Response?.BodySize,
        };
        if (exchange.Tls?.Client?.Ja3Fingerprint is { } ja3) item["ja3"] = ja3;
        if (exchange.Tls?.Client?.Ja4Fingerprint is { } ja4) item["ja4"] = ja4;
        item["httpVersion"] = exchange.HttpVersion;
        if (exchange.Error is not null) item["error"] = exchange.Error.Code;
        return item;
    }

    public static JsonObject SearchItem(Exchange exchange) => new()
    {
        ["id"] = exchange.Id,
        ["timestamp"] = exchange.Timestamp,
        ["method"] = exchange.Request.Method,
        ["url"] = exchange.Request.Url,
        ["status"] = exchange.Response?.StatusCode,
        ["duration"] = Duration(exchange),
    };

    private static double? Duration(Exchange exchange) =>
        exchange.Duration is { } duration ? ExchangeJson.Milliseconds(duration) : null;
}
