using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Interceptors.Browser;

/// <summary>One header of one captured exchange, as interceptor_browser_list_network_fields lists it.</summary>
public sealed record NetworkField(NetworkFieldId Id, Exchange Exchange, string HeaderName, string Value);

/// <summary>
/// The filters of interceptor_browser_list_network_fields (spec 5.9): exchanges since the browser was launched, one row per
/// header (proxy-mcp's lower-cased, ", "-joined map), request headers then response headers, in capture order.
/// </summary>
public sealed record NetworkFieldQuery
{
    /// <summary>Epoch ms: exchanges whose request arrived earlier are not listed.</summary>
    public required long SinceTimestamp { get; init; }

    /// <summary>
    /// Only exchanges tied to this interceptor target; null lists every client's (proxy-mcp's behaviour, weakness 49, used
    /// where connections cannot be traced to processes).
    /// </summary>
    public string? ClientTarget { get; init; }

    /// <summary>"request", "response" or "both".</summary>
    public string Direction { get; init; } = "both";
    public string? HeaderNameContains { get; init; }
    public string? Method { get; init; }
    public string? UrlContains { get; init; }
    public int? StatusCode { get; init; }
    public string? HostnameContains { get; init; }

    public IReadOnlyList<NetworkField> Apply(IEnumerable<Exchange> exchanges)
    {
        var rows = new List<NetworkField>();
        foreach (var exchange in exchanges)
        {
            if (!Matches(exchange)) continue;
            if (Direction is "request" or "both") AddRows(rows, exchange, "request", exchange.Request.Headers);
            if (Direction is "response" or "both" && exchange.Response is { } response) AddRows(rows, exchange, "response", response.Headers);
        }
        return rows;
    }

    /// <summary>The joined value of one header of one exchange, or null when the exchange does not have it.</summary>
    public static string? FindValue(Exchange exchange, string direction, string headerName)
    {
        var headers = direction == "request" ? exchange.Request.Headers : exchange.Response?.Headers;
        return headers?.ToJoinedMap().GetValueOrDefault(headerName.ToLowerInvariant());
    }

    private void AddRows(List<NetworkField> rows, Exchange exchange, string direction, HeaderList headers)
    {
        foreach (var (name, value) in headers.ToJoinedMap())
        {
            if (HeaderNameContains is { } filter && !name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            rows.Add(new NetworkField(new NetworkFieldId(exchange.Id, direction, name), exchange, name, value));
        }
    }

    private bool Matches(Exchange exchange)
    {
        const StringComparison ignoreCase = StringComparison.OrdinalIgnoreCase;
        if (exchange.Timestamp < SinceTimestamp) return false;
        if (ClientTarget is { } target && !string.Equals(exchange.ClientTarget, target, StringComparison.Ordinal)) return false;
        if (Method is { } method && !string.Equals(exchange.Request.Method, method, ignoreCase)) return false;
        if (UrlContains is { } url && !exchange.Request.Url.Contains(url, ignoreCase)) return false;
        if (StatusCode is { } status && exchange.Response?.StatusCode != status) return false;
        if (HostnameContains is { } host && !exchange.Request.Hostname.Contains(host, ignoreCase)) return false;
        return true;
    }
}
