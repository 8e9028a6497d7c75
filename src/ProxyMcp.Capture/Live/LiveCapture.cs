using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Live;

/// <summary>The bounded in-memory capture: newest <see cref="Capacity"/> exchanges, evicted oldest-first.</summary>
public sealed class LiveCapture
{
    public const int DefaultCapacity = 10_000;

    public LiveCapture(int capacity = DefaultCapacity) => Capacity = capacity;

    public int Capacity { get; }

    public int Count => throw new NotImplementedException();

    /// <summary>Total exchanges ever added (including evicted ones).</summary>
    public long TotalAdded => throw new NotImplementedException();

    public void Add(Exchange exchange) => throw new NotImplementedException();

    public Exchange? Find(string id) => throw new NotImplementedException();

    /// <summary>Exchanges in completion order (oldest first) passing the filter, one page of them, and the filtered total.</summary>
    public (int Total, IReadOnlyList<Exchange> Page) Query(TrafficFilter filter, int offset, int limit) =>
        throw new NotImplementedException();

    /// <summary>Case-insensitive search over URL, header names and values, and body previews; first <paramref name="limit"/> in order.</summary>
    public (int Total, IReadOnlyList<Exchange> Matches) Search(string query, int limit) => throw new NotImplementedException();

    /// <summary>A consistent copy of everything held, oldest first.</summary>
    public IReadOnlyList<Exchange> Snapshot() => throw new NotImplementedException();

    /// <summary>Removes everything; returns how many were held.</summary>
    public int Clear() => throw new NotImplementedException();
}
