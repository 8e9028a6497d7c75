using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Live;

/// <summary>
/// The bounded in-memory capture: the newest <see cref="Capacity"/> exchanges, evicted oldest-first.
/// </summary>
/// <remarks>
/// Exchanges are held packed (<see cref="ExchangePacker"/>) in a ring: adding costs the garbage collector nothing per
/// exchange, and reads unpack. Adds come from the proxy's capture thread, never from the forwarding path, so a short lock
/// shared with readers (who only copy the ring under it) is all the coordination needed.
/// </remarks>
public sealed class LiveCapture
{
    public const int DefaultCapacity = 10_000;

    private readonly object _lock = new();
    private readonly byte[]?[] _ring;
    /// <summary>Sequence number of the next exchange added (also how many were ever added).</summary>
    private long _next;
    /// <summary>Sequence number of the oldest exchange still held.</summary>
    private long _oldest;
    private long _evicted;

    public LiveCapture(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _ring = new byte[]?[capacity];
    }

    public int Capacity { get; }

    /// <summary>Exchanges currently held (never above <see cref="Capacity"/>).</summary>
    public int Count
    {
        get
        {
            lock (_lock) return (int)(_next - _oldest);
        }
    }

    /// <summary>Exchanges ever added, including evicted and cleared ones.</summary>
    public long TotalAdded => Interlocked.Read(ref _next);

    /// <summary>Exchanges dropped to respect the capacity.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>Raised after an exchange was added (subscribers must be quick).</summary>
    public event Action<Exchange>? Added;

    public void Add(Exchange exchange)
    {
        // Complete bodies are never held here (the packer leaves them out): they belong to the recording session.
        var packed = ExchangePacker.Pack(exchange);
        lock (_lock)
        {
            if (_next - _oldest == Capacity)
            {
                _ring[_oldest % Capacity] = null;
                _oldest++;
                _evicted++;
            }
            _ring[_next % Capacity] = packed;
            Interlocked.Increment(ref _next);
        }
        Added?.Invoke(exchange);
    }

    public Exchange? Find(string id)
    {
        // Newest first: the exchange an agent asks about is usually a recent one.
        var utf8Id = System.Text.Encoding.UTF8.GetBytes(id);
        var held = Held();
        for (var i = held.Length - 1; i >= 0; i--)
        {
            if (ExchangePacker.HasId(held[i], utf8Id)) return ExchangePacker.Unpack(held[i]);
        }
        return null;
    }

    /// <summary>Exchanges in completion order (oldest first) passing the filter: one page of them, and the filtered total.</summary>
    public (int Total, IReadOnlyList<Exchange> Page) Query(TrafficFilter filter, int offset, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (filter is { Method: null, UrlContains: null, StatusCode: null, HostnameContains: null, Source: null })
        {
            // No filter: the total is the count and only the page needs unpacking.
            var held = Held();
            var pageOfAll = held.Skip(offset).Take(limit).Select(ExchangePacker.Unpack).ToList();
            return (held.Length, pageOfAll);
        }
        var method = filter.Method?.ToUpperInvariant();
        var page = new List<Exchange>(Math.Min(limit, 256));
        var total = 0;
        foreach (var exchange in Unpacked())
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
        foreach (var exchange in Unpacked())
        {
            if (!Contains(exchange, query)) continue;
            if (matches.Count < limit) matches.Add(exchange);
            total++;
        }
        return (total, matches);
    }

    /// <summary>A copy of everything held, oldest first.</summary>
    public IReadOnlyList<Exchange> Snapshot() => [.. Unpacked()];

    /// <summary>Removes everything; returns how many were held.</summary>
    public int Clear()
    {
        lock (_lock)
        {
            var cleared = (int)(_next - _oldest);
            Array.Clear(_ring);
            _oldest = _next;
            return cleared;
        }
    }

    /// <summary>The packed exchanges held right now, oldest first (a copy of the ring, taken under the lock).</summary>
    private byte[][] Held()
    {
        lock (_lock)
        {
            var held = new byte[(int)(_next - _oldest)][];
            for (var i = 0; i < held.Length; i++) held[i] = _ring[(_oldest + i) % Capacity]!;
            return held;
        }
    }

    private IEnumerable<Exchange> Unpacked()
    {
        foreach (var packed in Held()) yield return ExchangePacker.Unpack(packed);
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
