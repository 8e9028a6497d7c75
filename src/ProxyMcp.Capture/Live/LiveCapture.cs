using System.Collections.Concurrent;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Live;

/// <summary>
/// The bounded in-memory capture: the newest <see cref="Capacity"/> exchanges, evicted oldest-first.
/// Adding is lock-free (a queue plus an id index) so the proxy's completion path never waits on a reader.
/// </summary>
public sealed class LiveCapture
{
    public const int DefaultCapacity = 10_000;

    private readonly ConcurrentQueue<Exchange> _order = new();
    private readonly ConcurrentDictionary<string, Exchange> _byId = new(StringComparer.Ordinal);
    private long _totalAdded;
    private int _count;

    public LiveCapture(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>Exchanges currently held (never above <see cref="Capacity"/> for long).</summary>
    public int Count => Math.Max(0, Volatile.Read(ref _count));

    /// <summary>Exchanges ever added, including evicted and cleared ones.</summary>
    public long TotalAdded => Interlocked.Read(ref _totalAdded);

    /// <summary>Exchanges dropped to respect the capacity.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    private long _evicted;

    /// <summary>Raised after an exchange was added (subscribers must be quick).</summary>
    public event Action<Exchange>? Added;

    public void Add(Exchange exchange)
    {
        _byId[exchange.Id] = exchange;
        _order.Enqueue(exchange);
        Interlocked.Increment(ref _totalAdded);
        Interlocked.Increment(ref _count);
        // Each eviction first claims one unit of the count (compare-and-swap), so concurrent adders never evict more
        // than the excess between them.
        while (true)
        {
            var count = Volatile.Read(ref _count);
            if (count <= Capacity) break;
            if (Interlocked.CompareExchange(ref _count, count - 1, count) != count) continue;
            if (!_order.TryDequeue(out var oldest))
            {
                Interlocked.Increment(ref _count);
                break;
            }
            _byId.TryRemove(new KeyValuePair<string, Exchange>(oldest.Id, oldest));
            Interlocked.Increment(ref _evicted);
        }
        Added?.Invoke(exchange);
    }

    public Exchange? Find(string id) => _byId.TryGetValue(id, out var exchange) ? exchange : null;

    /// <summary>Exchanges in completion order (oldest first) passing the filter: one page of them, and the filtered total.</summary>
    public (int Total, IReadOnlyList<Exchange> Page) Query(TrafficFilter filter, int offset, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var method = filter.Method?.ToUpperInvariant();
        var page = new List<Exchange>(Math.Min(limit, 256));
        var total = 0;
        foreach (var exchange in _order)
        {
            if (!Matches(exchange, filter, method)) continue;
            if (total >= offset && page.Count < limit) page.Add(exchange);
            total++;
        }
        return (total, page);
    }

    /// <summary>
    /// Case-insensitive search over URL, header names and values, and both body previews;
    /// the first <paramref name="limit"/> matches in completion order, and how many matched in all.
    /// </summary>
    public (int Total, IReadOnlyList<Exchange> Matches) Search(string query, int limit)
    {
        var matches = new List<Exchange>(Math.Min(limit, 256));
        var total = 0;
        foreach (var exchange in _order)
        {
            if (!Contains(exchange, query)) continue;
            if (matches.Count < limit) matches.Add(exchange);
            total++;
        }
        return (total, matches);
    }

    /// <summary>A copy of everything held, oldest first.</summary>
    public IReadOnlyList<Exchange> Snapshot() => _order.ToArray();

    /// <summary>Removes everything; returns how many were held.</summary>
    public int Clear()
    {
        var cleared = 0;
        while (_order.TryDequeue(out var exchange))
        {
            _byId.TryRemove(new KeyValuePair<string, Exchange>(exchange.Id, exchange));
            Interlocked.Decrement(ref _count);
            cleared++;
        }
        return cleared;
    }

    private static bool Matches(Exchange exchange, TrafficFilter filter, string? method)
    {
        if (method is not null && !string.Equals(exchange.Request.Method, method, StringComparison.Ordinal)) return false;
        if (filter.UrlContains is { } url && !exchange.Request.Url.Contains(url, StringComparison.OrdinalIgnoreCase)) return false;
        if (filter.StatusCode is { } status && exchange.Response?.StatusCode != status) return false;
        if (filter.HostnameContains is { } host && !exchange.Request.Hostname.Contains(host, StringComparison.OrdinalIgnoreCase)) return false;
        if (filter.Source is { } source && !string.Equals(exchange.Source ?? "explicit", source, StringComparison.Ordinal)) return false;
        return true;
    }

    private static bool Contains(Exchange exchange, string query)
    {
        const StringComparison ignoreCase = StringComparison.OrdinalIgnoreCase;
        if (exchange.Request.Url.Contains(query, ignoreCase)) return true;
        if (exchange.Request.BodyPreview.Contains(query, ignoreCase)) return true;
        if (HeadersContain(exchange.Request.Headers, query)) return true;
        if (exchange.Response is not { } response) return false;
        return response.BodyPreview.Contains(query, ignoreCase) || HeadersContain(response.Headers, query);
    }

    private static bool HeadersContain(HeaderList headers, string query)
    {
        foreach (var (name, value) in headers)
        {
            if (name.Contains(query, StringComparison.OrdinalIgnoreCase) || value.Contains(query, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }
}
