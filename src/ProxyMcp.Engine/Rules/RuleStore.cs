using System.Collections.Immutable;

namespace ProxyMcp.Engine.Rules;

/// <summary>
/// The rules of the process. Changes are validated first (a bad rule is rejected and nothing is stored), then published
/// as a new <see cref="RuleSet"/> snapshot with one atomic swap: no listener restarts, no dropped connections.
/// </summary>
public sealed class RuleStore
{
    private readonly object _writeLock = new();
    private readonly Dictionary<string, CompiledRule> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HitCounter> _hits = new(StringComparer.Ordinal);
    private RuleSet _current = RuleSet.Empty;
    private long _nextId;
    private long _nextSequence;

    /// <summary>The snapshot live traffic uses; read it once per request.</summary>
    public RuleSet Current => Volatile.Read(ref _current);

    public int Count => Current.Ordered.Length;

    /// <summary>Raised after every change, with the new snapshot.</summary>
    public event Action<RuleSet>? Changed;

    /// <summary>Validates and adds a rule (enabled); returns it with its new "rule_N" id.</summary>
    public CompiledRule Add(string description, int priority, RuleMatcher matcher, RuleHandler handler)
    {
        lock (_writeLock)
        {
            var id = $"rule_{_nextId + 1}";
            var hits = new HitCounter();
            var compiled = new CompiledRule(new Rule
            {
                Id = id,
                Priority = priority,
                Enabled = true,
                Description = description,
                Matcher = Normalize(matcher),
                Handler = handler,
                CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                Sequence = ++_nextSequence,
            }, hits);
            // The id is only consumed once the rule compiled: a rejected rule leaves no gap.
            _nextId++;
            _hits[id] = hits;
            _byId[id] = compiled;
            Publish();
            return compiled;
        }
    }

    /// <summary>Replaces the given parts of a rule (matcher and handler wholesale); null arguments keep the current value.</summary>
    public CompiledRule Update(string id, string? description = null, int? priority = null, RuleMatcher? matcher = null,
        RuleHandler? handler = null, bool? enabled = null)
    {
        lock (_writeLock)
        {
            var existing = Find(id);
            var rule = existing.Rule with
            {
                Description = description ?? existing.Rule.Description,
                Priority = priority ?? existing.Rule.Priority,
                Matcher = matcher is null ? existing.Rule.Matcher : Normalize(matcher),
                Handler = handler ?? existing.Rule.Handler,
                Enabled = enabled ?? existing.Rule.Enabled,
            };
            var compiled = new CompiledRule(rule, _hits[id]);
            _byId[id] = compiled;
            Publish();
            return compiled;
        }
    }

    public CompiledRule SetEnabled(string id, bool enabled) => Update(id, enabled: enabled);

    /// <summary>Removes a rule; false when no rule has that id.</summary>
    public bool Remove(string id)
    {
        lock (_writeLock)
        {
            if (!_byId.Remove(id)) return false;
            _hits.Remove(id);
            Publish();
            return true;
        }
    }

    public CompiledRule? TryGet(string id) => Current.Ordered.FirstOrDefault(r => r.Rule.Id == id);

    private CompiledRule Find(string id) =>
        _byId.TryGetValue(id, out var rule) ? rule : throw new KeyNotFoundException($"Rule '{id}' not found");

    private static RuleMatcher Normalize(RuleMatcher matcher)
    {
        if (matcher.Method is { } method && !CompiledHandler.IsToken(method))
            throw new RuleValidationException($"matcher.method must be an HTTP method token such as GET or PROPFIND (got '{method}')");
        if (matcher.Hostname is { } host && !IsHostPattern(host))
            throw new RuleValidationException(
                $"matcher.hostname must be a host name, optionally starting with '*.' (got '{host}'); use urlPattern for ports or paths");
        CompiledHandler.ValidateHeaderNames(matcher.Headers?.Keys, "matcher.headers");
        return matcher with { Method = matcher.Method?.ToUpperInvariant(), Hostname = matcher.Hostname?.ToLowerInvariant() };
    }

    private static bool IsHostPattern(string host)
    {
        var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
        if (name.Length == 0) return false;
        if (System.Net.IPAddress.TryParse(name.Trim('[', ']'), out _)) return true;
        return name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' || c > 127);
    }

    private void Publish()
    {
        var ordered = _byId.Values
            .OrderBy(r => r.Rule.Priority)
            .ThenBy(r => r.Rule.Sequence)
            .ToImmutableArray();
        var snapshot = new RuleSet(ordered);
        Volatile.Write(ref _current, snapshot);
        Changed?.Invoke(snapshot);
    }
}
