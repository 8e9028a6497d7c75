using ProxyMcp.Interceptors.Linking;

namespace ProxyMcp.Interceptors;

/// <summary>One kind of target that can be routed through the proxy: spawned processes now; browsers, devices, containers later.</summary>
/// <remarks>
/// Activation is kind-specific (a spawn takes a command line, a browser a URL, a device a serial), so each kind exposes its
/// own typed activate method; what every kind shares — availability, listing, deactivation — lives here.
/// </remarks>
public abstract class Interceptor
{
    /// <summary>How long an availability answer is trusted before the check runs again (tooling can be installed later).</summary>
    public static readonly TimeSpan DefaultAvailabilityTtl = TimeSpan.FromSeconds(30);

    private readonly AvailabilityCheck _availability;

    protected Interceptor(string id, string name, string description, TimeSpan? availabilityTtl = null, TimeProvider? time = null)
    {
        Id = id;
        Name = name;
        Description = description;
        _availability = new AvailabilityCheck(CheckActivableAsync, availabilityTtl ?? DefaultAvailabilityTtl, time ?? TimeProvider.System);
    }

    /// <summary>Fixed id the tools use, e.g. "terminal".</summary>
    public string Id { get; }

    /// <summary>Display name, e.g. "Terminal / Process Spawner".</summary>
    public string Name { get; }

    public string Description { get; }

    /// <summary>Whether the tooling this kind needs is present; cached for a short while, never for the process lifetime.</summary>
    public Task<bool> IsActivableAsync(CancellationToken cancellationToken = default) => _availability.GetAsync(cancellationToken);

    /// <summary>The uncached availability check; an exception counts as "not activable".</summary>
    protected abstract Task<bool> CheckActivableAsync(CancellationToken cancellationToken);

    /// <summary>A snapshot of the targets currently held by this interceptor.</summary>
    public abstract IReadOnlyList<ActiveTarget> ActiveTargets { get; }

    /// <summary>Stops intercepting one target; throws <see cref="InterceptorException"/> when the id is unknown.</summary>
    public abstract Task DeactivateAsync(string targetId, CancellationToken cancellationToken = default);

    /// <summary>Stops every target; one target failing does not stop the others, and the failures are thrown together at the end.</summary>
    public abstract Task DeactivateAllAsync(CancellationToken cancellationToken = default);

    /// <summary>Local processes whose connections belong to a target (each process's descendants included).</summary>
    public virtual IReadOnlyList<TargetProcess> TargetProcesses => [];

    /// <summary>Whether <see cref="TargetProcesses"/> may be non-empty: a cheap check that runs for every captured exchange.</summary>
    public virtual bool HasTargetProcesses => TargetProcesses.Count > 0;

    /// <summary>Told when an exchange was traced back to one of this interceptor's targets.</summary>
    public virtual void OnExchangeLinked(string targetId, string exchangeId)
    {
    }

    /// <summary>The metadata the discovery tools and the proxy://interceptors resource show.</summary>
    public async Task<InterceptorMetadata> DescribeAsync(CancellationToken cancellationToken = default) =>
        new(Id, Name, Description, await IsActivableAsync(cancellationToken), ActiveTargets);
}
