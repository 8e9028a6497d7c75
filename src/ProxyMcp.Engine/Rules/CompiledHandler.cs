using System.Text.RegularExpressions;

namespace ProxyMcp.Engine.Rules;

/// <summary>A validated handler: the type, the parsed forward target and the compiled body/URL rewrites.</summary>
public sealed class CompiledHandler
{
    public const int MaxDelayMs = 300_000;
    public static readonly string[] Types = ["mock", "passthrough", "forward", "drop"];

    private CompiledHandler(RuleHandler definition)
    {
        Definition = definition;
    }

    public RuleHandler Definition { get; }

    public string Type => Definition.Type;

    /// <summary>Parsed "forwardTo", for the forward type.</summary>
    public ForwardTarget? ForwardTarget { get; private init; }

    public BodyRewrite? RequestBodyRewrite { get; private init; }

    public BodyRewrite? ResponseBodyRewrite { get; private init; }

    public Regex? UrlRewritePattern { get; private init; }

    public static CompiledHandler Compile(RuleHandler handler)
    {
        if (!Types.Contains(handler.Type, StringComparer.Ordinal))
            throw new RuleValidationException($"handler.type must be one of {string.Join(", ", Types)} (got '{handler.Type}')");
        if (handler.DelayMs is < 0 or > MaxDelayMs)
            throw new RuleValidationException($"handler.delayMs must be between 0 and {MaxDelayMs} (got {handler.DelayMs})");

        var forwards = handler.Type is "passthrough" or "forward";
        if (!forwards && (handler.TransformRequest is not null || handler.TransformResponse is not null))
            throw new RuleValidationException($"transformRequest/transformResponse only apply to passthrough and forward handlers, not '{handler.Type}'");
        if (handler.Type != "forward" && handler.ForwardTo is not null)
            throw new RuleValidationException("handler.forwardTo is only used by the forward handler; set type to \"forward\"");

        if (handler.Type == "mock")
        {
            // 1xx statuses are interim: sent as the final answer they leave the client waiting for the real one.
            if (handler.Status is < 200 or > 599)
                throw new RuleValidationException($"handler.status must be a final HTTP status between 200 and 599 (got {handler.Status})");
            ValidateHeaderNames(handler.Headers?.Keys, "handler.headers");
            ValidateHeaderValues(handler.Headers?.Values, "handler.headers");
        }

        ForwardTarget? target = null;
        if (handler.Type == "forward")
        {
            if (string.IsNullOrWhiteSpace(handler.ForwardTo))
                throw new RuleValidationException("handler.forwardTo is required for a forward handler, e.g. \"http://127.0.0.1:8080\"");
            target = Rules.ForwardTarget.Parse(handler.ForwardTo);
        }

        var request = handler.TransformRequest;
        if (request is not null)
        {
            ValidateHeaderNames(request.UpdateHeaders?.Keys, "transformRequest.updateHeaders");
            ValidateHeaderValues(request.UpdateHeaders?.Values, "transformRequest.updateHeaders");
            RefuseFramingHeaders(request.UpdateHeaders?.Keys, "transformRequest.updateHeaders");
            if (request.ReplaceMethod is not null && !IsToken(request.ReplaceMethod))
                throw new RuleValidationException($"transformRequest.replaceMethod must be an HTTP method token (got '{request.ReplaceMethod}')");
        }
        var response = handler.TransformResponse;
        if (response is not null)
        {
            ValidateHeaderNames(response.UpdateHeaders?.Keys, "transformResponse.updateHeaders");
            ValidateHeaderValues(response.UpdateHeaders?.Values, "transformResponse.updateHeaders");
            RefuseFramingHeaders(response.UpdateHeaders?.Keys, "transformResponse.updateHeaders");
            if (response.ReplaceStatus is < 200 or > 599)
                throw new RuleValidationException($"transformResponse.replaceStatus must be a final HTTP status between 200 and 599 (got {response.ReplaceStatus})");
        }

        return new CompiledHandler(handler)
        {
            ForwardTarget = target,
            RequestBodyRewrite = BodyRewrite.Compile(request?.MatchReplaceBody, request?.Regex ?? false, "transformRequest.matchReplaceBody"),
            ResponseBodyRewrite = BodyRewrite.Compile(response?.MatchReplaceBody, response?.Regex ?? false, "transformResponse.matchReplaceBody"),
            UrlRewritePattern = request?.RewriteUrl is { } rewrite ? CompiledRule.CompileRegex(rewrite.Pattern, "transformRequest.rewriteUrl.pattern") : null,
        };
    }

    internal static void ValidateHeaderNames(IEnumerable<string>? names, string field)
    {
        foreach (var name in names ?? [])
        {
            if (!IsToken(name)) throw new RuleValidationException($"{field} has an invalid header name '{name}'");
        }
    }

    /// <summary>
    /// No CR, LF or NUL in a value (RFC 9110 §5.5): Kestrel and HttpClient refuse them only when the request is
    /// under way, so such a rule answered every match by dropping the connection.
    /// </summary>
    internal static void ValidateHeaderValues(IEnumerable<string?>? values, string field)
    {
        foreach (var value in values ?? [])
        {
            if (value is not null && value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
                throw new RuleValidationException($"{field} has a value with a line break or NUL character: {System.Text.Json.JsonSerializer.Serialize(value)}");
        }
    }

    /// <summary>
    /// Content-Length, Transfer-Encoding and the hop-by-hop headers describe one connection's framing, which the proxy
    /// writes itself on each side (and recomputes after a body rewrite). Set by a transform they made responses with
    /// both Content-Length and chunked framing, or requests HttpClient refused outright.
    /// </summary>
    private static void RefuseFramingHeaders(IEnumerable<string>? names, string field)
    {
        foreach (var name in names ?? [])
        {
            if (Forwarding.HopByHopHeaders.IsFraming(name))
            {
                throw new RuleValidationException(
                    $"{field} cannot set or remove '{name}': the proxy frames each connection itself (lengths are recomputed after body rewrites)");
            }
        }
    }

    /// <summary>RFC 9110 token characters.</summary>
    internal static bool IsToken(string value) =>
        value.Length > 0 && value.All(c => c < 127 && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)));
}

/// <summary>Where a forward handler sends requests: scheme (null = keep the request's), host and port (null = keep).</summary>
public sealed record ForwardTarget(string? Scheme, string Host, int? Port)
{
    public static ForwardTarget Parse(string value)
    {
        var text = value.Trim();
        string? scheme = null;
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator >= 0)
        {
            scheme = text[..separator].ToLowerInvariant();
            if (scheme is not ("http" or "https"))
                throw new RuleValidationException($"handler.forwardTo scheme must be http or https (got '{scheme}')");
            text = text[(separator + 3)..];
        }
        text = text.TrimEnd('/');
        if (text.Contains('/') || text.Contains('?') || text.Contains('#'))
            throw new RuleValidationException($"handler.forwardTo must be scheme://host[:port] without a path (got '{value}'); paths are kept from the request");
        if (!Uri.TryCreate($"http://{text}", UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host) || uri.UserInfo.Length > 0)
            throw new RuleValidationException($"handler.forwardTo is not a valid host[:port] (got '{value}')");
        var hasPort = text.LastIndexOf(':') > text.LastIndexOf(']');
        return new ForwardTarget(scheme, uri.Host, hasPort ? uri.Port : null);
    }
}

/// <summary>Body match/replace: literal (every occurrence) or regex, applied in order to the decoded text.</summary>
public sealed class BodyRewrite
{
    private readonly (string Match, string Replacement, Regex? Pattern)[] _pairs;

    private BodyRewrite((string, string, Regex?)[] pairs) => _pairs = pairs;

    public static BodyRewrite? Compile(IReadOnlyList<IReadOnlyList<string>>? pairs, bool regex, string field)
    {
        if (pairs is null || pairs.Count == 0) return null;
        var compiled = new (string, string, Regex?)[pairs.Count];
        for (var i = 0; i < pairs.Count; i++)
        {
            var pair = pairs[i];
            if (pair.Count != 2) throw new RuleValidationException($"{field}[{i}] must be a [match, replacement] pair");
            if (string.IsNullOrEmpty(pair[0])) throw new RuleValidationException($"{field}[{i}] has an empty match string");
            compiled[i] = (pair[0], pair[1], regex ? CompiledRule.CompileRegex(pair[0], $"{field}[{i}]") : null);
        }
        return new BodyRewrite(compiled);
    }

    public string Apply(string text)
    {
        foreach (var (match, replacement, pattern) in _pairs)
        {
            text = pattern is null ? text.Replace(match, replacement, StringComparison.Ordinal) : pattern.Replace(text, replacement);
        }
        return text;
    }
}
