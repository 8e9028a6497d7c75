namespace ProxyMcp.Engine.Rules;

/// <summary>An interception rule: data that maps one-to-one onto the JSON of the MCP rule tools.</summary>
public sealed record Rule
{
    /// <summary>"rule_N", from a process-wide counter; never reused.</summary>
    public required string Id { get; init; }

    /// <summary>Lower runs first; ties keep insertion order.</summary>
    public int Priority { get; init; } = 100;

    public bool Enabled { get; init; } = true;

    public string Description { get; init; } = "";

    public RuleMatcher Matcher { get; init; } = new();

    public required RuleHandler Handler { get; init; }

    /// <summary>Epoch milliseconds.</summary>
    public long CreatedAt { get; init; }

    /// <summary>Insertion order, the tie-breaker between equal priorities.</summary>
    public long Sequence { get; init; }
}

/// <summary>Conditions a request must all meet (logical AND); an empty matcher matches everything.</summary>
public sealed record RuleMatcher
{
    /// <summary>Any HTTP method token, compared case-insensitively.</summary>
    public string? Method { get; init; }

    /// <summary>Regex searched in the full URL, query included.</summary>
    public string? UrlPattern { get; init; }

    /// <summary>Case-insensitive host name; "*.example.com" matches every subdomain (not the apex).</summary>
    public string? Hostname { get; init; }

    /// <summary>Regex searched in path plus query.</summary>
    public string? PathPattern { get; init; }

    /// <summary>Each header must be present with this value: exact, or a regex when written as "/pattern/" or "/pattern/i".</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Case-sensitive substring of the request body, decoded per Content-Encoding.</summary>
    public string? BodyIncludes { get; init; }
}

/// <summary>What happens to a matching request.</summary>
public sealed record RuleHandler
{
    /// <summary>mock, passthrough, forward or drop.</summary>
    public required string Type { get; init; }

    /// <summary>Mock status (default 200).</summary>
    public int? Status { get; init; }

    /// <summary>Mock body (UTF-8).</summary>
    public string? Body { get; init; }

    /// <summary>Mock response headers.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Forward target: "scheme://host[:port]" or "host[:port]" (scheme kept); no path.</summary>
    public string? ForwardTo { get; init; }

    /// <summary>Wait this long before handling (simulates latency).</summary>
    public int? DelayMs { get; init; }

    public RequestTransform? TransformRequest { get; init; }

    public ResponseTransform? TransformResponse { get; init; }
}

public sealed record RequestTransform
{
    /// <summary>Set or overwrite headers; a null value removes the header.</summary>
    public IReadOnlyDictionary<string, string?>? UpdateHeaders { get; init; }

    public string? ReplaceMethod { get; init; }

    /// <summary>[match, replacement] pairs applied in order to the decoded body, every occurrence.</summary>
    public IReadOnlyList<IReadOnlyList<string>>? MatchReplaceBody { get; init; }

    /// <summary>Treat the match strings as regexes (replacement may use $1…); literal otherwise.</summary>
    public bool Regex { get; init; }

    /// <summary>Rewrite the URL: regex over the full URL and its replacement.</summary>
    public UrlRewrite? RewriteUrl { get; init; }
}

public sealed record ResponseTransform
{
    public IReadOnlyDictionary<string, string?>? UpdateHeaders { get; init; }

    public int? ReplaceStatus { get; init; }

    public IReadOnlyList<IReadOnlyList<string>>? MatchReplaceBody { get; init; }

    public bool Regex { get; init; }
}

/// <summary>A regex over the full URL and what to put instead (".NET replacement syntax: $1, ${name}").</summary>
public sealed record UrlRewrite(string Pattern, string Replacement);
