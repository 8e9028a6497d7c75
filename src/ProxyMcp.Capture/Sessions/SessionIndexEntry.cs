namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// proxy-mcp's SessionIndexEntry (spec 6.5): the metadata of one stored exchange, one row of the <c>exchanges</c> table.
/// The original's <c>recordOffset</c>/<c>recordLineBytes</c> pointed into its NDJSON file and have no meaning here.
/// </summary>
public sealed record SessionIndexEntry
{
    public long Seq { get; init; }
    public required string ExchangeId { get; init; }
    public long Timestamp { get; init; }
    public required string Method { get; init; }
    public required string Hostname { get; init; }
    public required string Path { get; init; }
    public required string Url { get; init; }
    public int? StatusCode { get; init; }
    public double? Duration { get; init; }
    public long RequestBodySize { get; init; }
    public long? ResponseBodySize { get; init; }
    public bool HasResponse => StatusCode is not null;
    public bool HasFullRequestBody { get; init; }
    public bool HasFullResponseBody { get; init; }
    public string? MatchedRuleId { get; init; }
    public string? Ja3 { get; init; }
    public string? Ja4 { get; init; }
    public string? Ja3s { get; init; }
    /// <summary>Response media type: the part before ';', trimmed, lower-cased.</summary>
    public string? ResponseContentType { get; init; }
    /// <summary>"explicit", "transparent", "replay", "har" (null for old rows).</summary>
    public string? Source { get; init; }
}
