using System.Collections.Immutable;

namespace ProxyMcp.Engine.Rules;

/// <summary>
/// An immutable snapshot of the rules in evaluation order (priority, then insertion). The store swaps in a new one on
/// every change; a request reads the current snapshot once and is unaffected by later changes.
/// </summary>
public sealed class RuleSet
{
    public static readonly RuleSet Empty = new([]);

    public RuleSet(ImmutableArray<CompiledRule> ordered)
    {
        Ordered = ordered;
        Active = ordered.Where(r => r.Rule.Enabled).ToImmutableArray();
        NeedsRequestBody = Active.Any(r => r.NeedsRequestBody);
    }

    /// <summary>Every rule, enabled or not, in evaluation order.</summary>
    public ImmutableArray<CompiledRule> Ordered { get; }

    /// <summary>Enabled rules in evaluation order: the ones live traffic sees.</summary>
    public ImmutableArray<CompiledRule> Active { get; }

    /// <summary>True when some enabled rule looks at the request body, so it must be read before matching.</summary>
    public bool NeedsRequestBody { get; }

    /// <summary>The first enabled rule that matches, or null for plain passthrough.</summary>
    public CompiledRule? FindMatch(RuleRequest request)
    {
        foreach (var rule in Active)
        {
            if (rule.Matches(request)) return rule;
        }
        return null;
    }
}
