using System.Collections.Concurrent;
using System.Net.Security;

namespace ProxyMcp.Engine.Tls;

/// <summary>
/// Leaf certificate contexts by (normalised) host, at most <c>capacity</c> of them. Each context holds ~20-25 KB
/// once .NET has built its OpenSSL state, so an unbounded map grew by ~90 MB per 4,000 hosts (a crawl, a scanner).
/// Past capacity the least recently used entries are dropped, down to 90 % of capacity, by one thread at a time;
/// a lookup only stamps its entry's last use, so handshakes never wait on a lock. Each host is minted once even when
/// many handshakes ask for it together.
/// </summary>
internal sealed class LeafCache(int capacity, Func<string, SslStreamCertificateContext> mint)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _trimming = new();

    public int Count => _entries.Count;

    public SslStreamCertificateContext Get(string host)
    {
        if (_entries.TryGetValue(host, out var entry))
        {
            entry.Touch();
            return entry.Context.Value;
        }
        entry = _entries.GetOrAdd(host, static (key, m) => new Entry(new Lazy<SslStreamCertificateContext>(() => m(key))), mint);
        entry.Touch();
        // Count takes every lock of the dictionary: only a miss (a new host, rare) pays for it.
        if (_entries.Count > capacity) Trim();
        return entry.Context.Value;
    }

    /// <summary>The context for <paramref name="host"/> if it is cached and minted, without minting.</summary>
    public SslStreamCertificateContext? TryGet(string host)
    {
        if (!_entries.TryGetValue(host, out var entry) || !entry.Context.IsValueCreated) return null;
        entry.Touch();
        return entry.Context.Value;
    }

    private void Trim()
    {
        if (!_trimming.TryEnter()) return; // another thread is already trimming
        try
        {
            var drop = _entries.Count - capacity * 9 / 10;
            if (drop <= 0) return;
            // ToArray takes a consistent snapshot; LINQ straight over the dictionary copies into an array sized before
            // the copy and throws when handshakes add hosts in between.
            foreach (var stale in _entries.ToArray().OrderBy(pair => pair.Value.LastUsed).Take(drop).Select(pair => pair.Key))
            {
                _entries.TryRemove(stale, out _);
            }
        }
        finally
        {
            _trimming.Exit();
        }
    }

    private sealed class Entry(Lazy<SslStreamCertificateContext> context)
    {
        private long _lastUsed;

        public Lazy<SslStreamCertificateContext> Context { get; } = context;

        public long LastUsed => Volatile.Read(ref _lastUsed);

        // Stopwatch ticks: finer than TickCount64's milliseconds, so hosts used in the same burst still sort by order.
        public void Touch() => Volatile.Write(ref _lastUsed, System.Diagnostics.Stopwatch.GetTimestamp());
    }
}
