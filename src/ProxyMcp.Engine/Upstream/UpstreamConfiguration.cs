using System.Collections.Immutable;

namespace ProxyMcp.Engine.Upstream;

/// <summary>
/// Global and per-host upstream proxies. Every change publishes a new immutable snapshot that the next request reads;
/// nothing restarts and open connections carry on.
/// </summary>
public sealed class UpstreamConfiguration
{
    private readonly object _writeLock = new();
    private Snapshot _current = new(null, ImmutableDictionary.Create<string, UpstreamProxy>(StringComparer.OrdinalIgnoreCase));

    public sealed record Snapshot(UpstreamProxy? Global, ImmutableDictionary<string, UpstreamProxy> Hosts);

    public Snapshot Current => Volatile.Read(ref _current);

    /// <summary>Raised after a change (PAC scripts are fetched on it).</summary>
    public event Action<Snapshot>? Changed;

    public void SetGlobal(UpstreamProxy? proxy) => Publish(s => s with { Global = proxy });

    /// <exception cref="ArgumentException">The host name is neither a DNS name nor an IP address (a port or path in it, say).</exception>
    public void SetHost(string hostname, UpstreamProxy proxy)
    {
        var host = Normalize(hostname);
        if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
            throw new ArgumentException($"hostname must be a host name or IP address, without port or path (got '{hostname}')");
        Publish(s => s with { Hosts = s.Hosts.SetItem(host, proxy) });
    }

    /// <summary>False when there was no override for that host.</summary>
    public bool RemoveHost(string hostname)
    {
        var removed = false;
        Publish(s =>
        {
            removed = s.Hosts.ContainsKey(Normalize(hostname));
            return s with { Hosts = s.Hosts.Remove(Normalize(hostname)) };
        });
        return removed;
    }

    /// <summary>The configured proxy for a host: its own override, else the global one; null for direct. Bypass lists not applied.</summary>
    public UpstreamProxy? For(string hostname)
    {
        var snapshot = Current;
        return snapshot.Hosts.TryGetValue(Normalize(hostname), out var own) ? own : snapshot.Global;
    }

    private static string Normalize(string hostname) => hostname.Trim().Trim('[', ']').TrimEnd('.').ToLowerInvariant();

    private void Publish(Func<Snapshot, Snapshot> change)
    {
        Snapshot next;
        lock (_writeLock)
        {
            next = change(_current);
            Volatile.Write(ref _current, next);
        }
        Changed?.Invoke(next);
    }
}
