using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Engine.Rules;

/// <summary>What matchers look at: the same shape for live traffic, simulated requests and captured exchanges.</summary>
public sealed record RuleRequest
{
    public required string Method { get; init; }

    /// <summary>Absolute URL including the query.</summary>
    public required string Url { get; init; }

    /// <summary>Lower-case host name without port.</summary>
    public required string Hostname { get; init; }

    /// <summary>Path plus query.</summary>
    public required string Path { get; init; }

    public required HeaderList Headers { get; init; }

    /// <summary>Request body decoded per Content-Encoding as text; null when it was not read (no rule needs it).</summary>
    public string? Body { get; init; }
}
