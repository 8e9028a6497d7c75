namespace ProxyMcp.Engine.Rules;

/// <summary>The outcome of one matcher condition, with enough detail to explain a (non-)match.</summary>
public sealed record RuleCheck(
    bool Applies,
    bool Passed,
    object? Expected = null,
    object? Actual = null,
    string? Reason = null,
    IReadOnlyList<HeaderMismatch>? Mismatch = null)
{
    public static readonly RuleCheck NotApplicable = new(false, true);
}

public sealed record HeaderMismatch(string Header, string Expected, string? Actual);

/// <summary>All six checks of a matcher, in the order proxy_test_rule_match reports them.</summary>
public sealed record RuleChecks(
    RuleCheck Method,
    RuleCheck UrlPattern,
    RuleCheck Hostname,
    RuleCheck PathPattern,
    RuleCheck Headers,
    RuleCheck BodyIncludes)
{
    public bool AllPassed => Method.Passed && UrlPattern.Passed && Hostname.Passed && PathPattern.Passed && Headers.Passed && BodyIncludes.Passed;
}
