namespace ProxyMcp.Capture.Live;

/// <summary>The filters of proxy_list_traffic; null fields do not filter.</summary>
public sealed record TrafficFilter
{
    /// <summary>Exact method, compared upper-cased.</summary>
    public string? Method { get; init; }
    /// <summary>Case-insensitive substring of the URL.</summary>
    public string? UrlContains { get; init; }
    /// <summary>Exact response status; exchanges without a response never match.</summary>
    public int? StatusCode { get; init; }
    /// <summary>Case-insensitive substring of the hostname.</summary>
    public string? HostnameContains { get; init; }
    /// <summary>Exact source ("explicit", "transparent").</summary>
    public string? Source { get; init; }
}
