namespace ProxyMcp.TestSupport;

/// <summary>One request as the origin saw it, recorded when its response finished (or the connection broke).</summary>
/// <param name="PathAndQuery">Path plus query string exactly as routed, e.g. <c>/echo?a=1</c>.</param>
/// <param name="Protocol"><c>HTTP/1.1</c> or <c>HTTP/2</c>.</param>
/// <param name="Host">Host header, or the HTTP/2 <c>:authority</c> that Kestrel maps onto it.</param>
/// <param name="Headers">Every header value, one entry per value, in Kestrel's enumeration order.</param>
/// <param name="BodyLength">Request body bytes received (the recorder drains what the handler left unread).</param>
/// <param name="TlsServerName">The SNI the client sent on the HTTPS endpoint; null on plain endpoints.</param>
/// <param name="LocalPort">Which of the origin's endpoints took the request.</param>
public sealed record ReceivedRequest(
    string Method,
    string PathAndQuery,
    string Protocol,
    string Scheme,
    string Host,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    long BodyLength,
    int StatusCode,
    string? TlsServerName,
    int LocalPort)
{
    public string Path => PathAndQuery.Split('?', 2)[0];

    /// <summary>All values of a header, matched case-insensitively.</summary>
    public IReadOnlyList<string> HeaderValues(string name) =>
        [.. Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value)];

    /// <summary>The header's values joined with ", ", or null when absent.</summary>
    public string? Header(string name) => HeaderValues(name) is { Count: > 0 } values ? string.Join(", ", values) : null;
}
