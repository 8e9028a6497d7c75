using System.Text.RegularExpressions;

namespace ProxyMcp.Engine.Rules;

/// <summary>
/// A validated rule with its regexes compiled once, and the matcher code used by live traffic and by the simulator alike.
/// </summary>
public sealed class CompiledRule
{
    /// <summary>Bounds a pathological pattern: a regex that runs longer than this counts as "no match".</summary>
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Regex? _url;
    private readonly Regex? _path;
    private readonly (string Name, string Expected, Regex? Pattern)[] _headers;
    private readonly HitCounter _hits;

    internal CompiledRule(Rule rule, HitCounter hits)
    {
        Rule = rule;
        _hits = hits;
        var matcher = rule.Matcher;
        _url = matcher.UrlPattern is null ? null : CompileRegex(matcher.UrlPattern, "matcher.urlPattern");
        _path = matcher.PathPattern is null ? null : CompileRegex(matcher.PathPattern, "matcher.pathPattern");
        _headers = (matcher.Headers ?? new Dictionary<string, string>())
            .Select(h => (h.Key.ToLowerInvariant(), h.Value, HeaderRegex(h.Key, h.Value)))
            .ToArray();
        Handler = CompiledHandler.Compile(rule.Handler);
    }

    public Rule Rule { get; }

    public CompiledHandler Handler { get; }

    public long HitCount => _hits.Value;

    /// <summary>True when the rule's conditions need the request body.</summary>
    public bool NeedsRequestBody => Rule.Matcher.BodyIncludes is not null;

    internal void RecordHit() => _hits.Increment();

    /// <summary>Live matching: the same checks as <see cref="Explain"/>, stopping at the first failure.</summary>
    public bool Matches(RuleRequest request)
    {
        var m = Rule.Matcher;
        if (m.Method is not null && !string.Equals(m.Method, request.Method, StringComparison.OrdinalIgnoreCase)) return false;
        if (_url is not null && !SafeIsMatch(_url, request.Url)) return false;
        if (m.Hostname is not null && !HostnameMatches(m.Hostname, request.Hostname)) return false;
        if (_path is not null && !SafeIsMatch(_path, request.Path)) return false;
        foreach (var (name, expected, pattern) in _headers)
        {
            if (!HeaderMatches(request, name, expected, pattern)) return false;
        }
        if (m.BodyIncludes is not null && !(request.Body ?? "").Contains(m.BodyIncludes, StringComparison.Ordinal)) return false;
        return true;
    }

    /// <summary>Every check with expected/actual values and a reason when it failed.</summary>
    public RuleChecks Explain(RuleRequest request)
    {
        var m = Rule.Matcher;
        var method = m.Method is null ? RuleCheck.NotApplicable
            : string.Equals(m.Method, request.Method, StringComparison.OrdinalIgnoreCase)
                ? new RuleCheck(true, true, m.Method.ToUpperInvariant(), request.Method)
                : new RuleCheck(true, false, m.Method.ToUpperInvariant(), request.Method, "HTTP method mismatch");
        var url = _url is null ? RuleCheck.NotApplicable : RegexCheck(_url, m.UrlPattern!, request.Url, "URL does not match regex");
        var host = m.Hostname is null ? RuleCheck.NotApplicable
            : HostnameMatches(m.Hostname, request.Hostname)
                ? new RuleCheck(true, true, m.Hostname, request.Hostname)
                : new RuleCheck(true, false, m.Hostname, request.Hostname, "Hostname mismatch");
        var path = _path is null ? RuleCheck.NotApplicable : RegexCheck(_path, m.PathPattern!, request.Path, "Path does not match regex");

        RuleCheck headers;
        if (_headers.Length == 0)
        {
            headers = RuleCheck.NotApplicable;
        }
        else
        {
            var mismatches = new List<HeaderMismatch>();
            foreach (var (name, expected, pattern) in _headers)
            {
                if (!HeaderMatches(request, name, expected, pattern))
                    mismatches.Add(new HeaderMismatch(name, expected, JoinedHeader(request, name)));
            }
            var actual = request.Headers.ToJoinedMap();
            headers = mismatches.Count == 0
                ? new RuleCheck(true, true, m.Headers, actual)
                : new RuleCheck(true, false, m.Headers, actual, "Required headers missing or mismatched", mismatches);
        }

        RuleCheck body;
        if (m.BodyIncludes is null)
        {
            body = RuleCheck.NotApplicable;
        }
        else
        {
            var text = request.Body ?? "";
            var shown = text.Length > 200 ? text[..200] + "..." : text;
            body = text.Contains(m.BodyIncludes, StringComparison.Ordinal)
                ? new RuleCheck(true, true, m.BodyIncludes, shown)
                : new RuleCheck(true, false, m.BodyIncludes, shown, "Body does not include required substring");
        }
        return new RuleChecks(method, url, host, path, headers, body);
    }

    /// <summary>Case-insensitive; "*.example.com" matches any subdomain depth but not example.com itself.</summary>
    public static bool HostnameMatches(string pattern, string hostname)
    {
        hostname = hostname.TrimEnd('.');
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
            return hostname.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase) && hostname.Length > pattern.Length - 1;
        return string.Equals(pattern, hostname, StringComparison.OrdinalIgnoreCase);
    }

    internal static Regex CompileRegex(string pattern, string field)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, RegexTimeout);
        }
        catch (ArgumentException ex)
        {
            throw new RuleValidationException($"{field} is not a valid regular expression ({ex.Message}): {pattern}");
        }
    }

    private static Regex? HeaderRegex(string name, string value)
    {
        if (value.Length < 2 || value[0] != '/') return null;
        var last = value.LastIndexOf('/');
        if (last == 0) return null;
        var flags = value[(last + 1)..];
        if (flags is not ("" or "i")) return null;
        var options = RegexOptions.CultureInvariant | (flags == "i" ? RegexOptions.IgnoreCase : RegexOptions.None);
        try
        {
            return new Regex(value[1..last], options, RegexTimeout);
        }
        catch (ArgumentException ex)
        {
            throw new RuleValidationException($"matcher.headers['{name}'] looks like a /regex/ but is not valid ({ex.Message})");
        }
    }

    private static bool HeaderMatches(RuleRequest request, string name, string expected, Regex? pattern)
    {
        foreach (var (key, value) in request.Headers)
        {
            if (!string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) continue;
            if (pattern is null ? string.Equals(value, expected, StringComparison.Ordinal) : SafeIsMatch(pattern, value)) return true;
        }
        // A header sent as several field lines matches when its joined value does.
        var joined = JoinedHeader(request, name);
        return joined is not null && (pattern is null ? joined == expected : SafeIsMatch(pattern, joined));
    }

    private static string? JoinedHeader(RuleRequest request, string name)
    {
        string? joined = null;
        foreach (var (key, value) in request.Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                joined = joined is null ? value : joined + ", " + value;
        }
        return joined;
    }

    private static RuleCheck RegexCheck(Regex regex, string pattern, string actual, string reason)
    {
        try
        {
            return regex.IsMatch(actual)
                ? new RuleCheck(true, true, pattern, actual)
                : new RuleCheck(true, false, pattern, actual, reason);
        }
        catch (RegexMatchTimeoutException)
        {
            return new RuleCheck(true, false, pattern, actual, $"Regex timed out after {RegexTimeout.TotalMilliseconds} ms");
        }
    }

    internal static bool SafeIsMatch(Regex regex, string input)
    {
        try
        {
            return regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}

/// <summary>A rule's hit count, shared by every snapshot the rule appears in.</summary>
internal sealed class HitCounter
{
    private long _value;
    public long Value => Interlocked.Read(ref _value);
    public void Increment() => Interlocked.Increment(ref _value);
}
