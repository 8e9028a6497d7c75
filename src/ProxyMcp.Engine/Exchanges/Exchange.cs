namespace ProxyMcp.Engine.Exchanges;

/// <summary>One request/response pair as the proxy saw it; plain, immutable, serialisable state.</summary>
public sealed record Exchange
{
    /// <summary>Random UUID v4, the shape proxy-mcp uses for live captures.</summary>
    public required string Id { get; init; }

    /// <summary>Epoch milliseconds when the request head arrived (proxy-mcp took it after the body).</summary>
    public required long Timestamp { get; init; }

    /// <summary>"explicit" for the explicit listener; "replay" and others come later.</summary>
    public string? Source { get; init; } = "explicit";

    /// <summary>Client-side protocol: "HTTP/1.1" or "HTTP/2".</summary>
    public required string HttpVersion { get; init; }

    public required ExchangeRequest Request { get; init; }

    /// <summary>Absent when no response reached the client (aborted, dropped).</summary>
    public ExchangeResponse? Response { get; init; }

    public ExchangeTls? Tls { get; init; }

    /// <summary>Milliseconds from request head to the last response byte sent to the client.</summary>
    public double? Duration { get; init; }

    /// <summary>"rule_N" of the rule that handled the request, or null for plain passthrough.</summary>
    public string? MatchedRuleId { get; init; }

    /// <summary>What failed, when something did (see <see cref="ExchangeErrorKind"/>).</summary>
    public ExchangeError? Error { get; init; }

    public required ExchangeTimings Timings { get; init; }

    /// <summary>Set when the exchange was a WebSocket upgrade that was tunnelled.</summary>
    public bool WebSocket { get; init; }

    /// <summary>The client's address and port as the listener saw them ("127.0.0.1:51234"); links exchanges to local processes.</summary>
    public string? ClientEndPoint { get; init; }

    /// <summary>Id of the interceptor target (e.g. a spawned process) whose connection carried this exchange.</summary>
    public string? ClientTarget { get; init; }

    /// <summary>Complete raw bodies, only while body capture is on (a "full" session); owned by whoever stores them.</summary>
    public CapturedBodies? Bodies { get; init; }
}

public sealed record ExchangeRequest
{
    public required string Method { get; init; }
    public required string Url { get; init; }
    public required string Hostname { get; init; }
    /// <summary>Path plus query, no fragment.</summary>
    public required string Path { get; init; }
    public required HeaderList Headers { get; init; }
    public required string BodyPreview { get; init; }
    /// <summary>Bytes of request body as received from the client (wire, possibly compressed).</summary>
    public required long BodySize { get; init; }
}

public sealed record ExchangeResponse
{
    public required int StatusCode { get; init; }
    public required string StatusMessage { get; init; }
    public required HeaderList Headers { get; init; }
    /// <summary>Decompressed per Content-Encoding, decoded as UTF-8, capped.</summary>
    public required string BodyPreview { get; init; }
    /// <summary>Bytes of response body sent to the client (wire, possibly compressed).</summary>
    public required long BodySize { get; init; }
}

public sealed record ExchangeTls
{
    public ClientTls? Client { get; init; }
    public ServerTls? Server { get; init; }
}

public sealed record ClientTls
{
    public string? SniHostname { get; init; }
    public IReadOnlyList<string>? ClientAlpn { get; init; }
    public string? Ja3Fingerprint { get; init; }
    public string? Ja4Fingerprint { get; init; }
    /// <summary>The JA3 string the hash is taken of.</summary>
    public string? Ja3 { get; init; }
    /// <summary>JA4_r: the sorted lists in clear.</summary>
    public string? Ja4Raw { get; init; }
    /// <summary>TLS versions the client offered, newest first (e.g. "TLSv1.3", "TLSv1.2").</summary>
    public IReadOnlyList<string>? OfferedVersions { get; init; }
    /// <summary>Protocol negotiated with the client, e.g. "TLSv1.3".</summary>
    public string? NegotiatedProtocol { get; init; }
    /// <summary>ALPN protocol negotiated with the client, e.g. "h2".</summary>
    public string? NegotiatedAlpn { get; init; }
}

public sealed record ServerTls
{
    public string? Protocol { get; init; }
    public string? Cipher { get; init; }
    public string? Ja3sFingerprint { get; init; }
    /// <summary>The JA3S string the hash is taken of.</summary>
    public string? Ja3s { get; init; }
    /// <summary>ALPN the server chose, when visible in the ServerHello (TLS 1.2).</summary>
    public string? Alpn { get; init; }
}

/// <summary>Milestones in milliseconds since <see cref="Exchange.Timestamp"/>; null when not reached.</summary>
public sealed record ExchangeTimings
{
    /// <summary>Request body fully read from the client.</summary>
    public double? RequestSentMs { get; init; }
    /// <summary>Response headers received from the origin (or produced by a rule).</summary>
    public double? ResponseHeadersMs { get; init; }
    /// <summary>Last response byte written to the client.</summary>
    public double? ResponseDoneMs { get; init; }
}

public sealed record ExchangeError(ExchangeErrorKind Kind, string Message)
{
    /// <summary>Short machine-readable name such as "dns", "refused", "tls".</summary>
    public string Code => Kind switch
    {
        ExchangeErrorKind.DnsFailure => "dns",
        ExchangeErrorKind.ConnectionRefused => "refused",
        ExchangeErrorKind.UpstreamTls => "tls",
        ExchangeErrorKind.Timeout => "timeout",
        ExchangeErrorKind.ResponseBodyFromOrigin => "upstream_reset",
        ExchangeErrorKind.RequestBodyFromClient => "client_request_aborted",
        ExchangeErrorKind.ResponseBodyToClient => "client_aborted",
        ExchangeErrorKind.UpstreamProtocol => "protocol",
        ExchangeErrorKind.Dropped => "dropped",
        ExchangeErrorKind.Loop => "loop",
        ExchangeErrorKind.ProxyStopped => "proxy_stopped",
        _ => "other",
    };
}

/// <summary>Which stage and which side broke, so a 502 and a capture can say exactly what failed.</summary>
public enum ExchangeErrorKind
{
    DnsFailure,
    ConnectionRefused,
    UpstreamUnreachable,
    UpstreamTls,
    Timeout,
    UpstreamProtocol,
    RequestBodyFromClient,
    ResponseBodyFromOrigin,
    ResponseBodyToClient,
    Dropped,
    /// <summary>The target (or the upstream proxy) is this proxy's own listener.</summary>
    Loop,
    /// <summary>The proxy was stopped while the exchange was in flight (not the client's doing).</summary>
    ProxyStopped,
    Other,
}
