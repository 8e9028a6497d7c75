namespace ProxyMcp.Interceptors.Browser;

/// <summary>One console message (proxy-mcp's shape); <c>Location</c> is "url:line:col" or "".</summary>
public sealed record ConsoleEntry(string Type, string Text, string Location, long Timestamp);

/// <summary>The newest console messages of a page, bounded (proxy-mcp kept 500, oldest dropped).</summary>
public sealed class ConsoleLog(int capacity = ConsoleLog.DefaultCapacity)
{
    public const int DefaultCapacity = 500;

    /// <summary>Longer message texts are cut, so a page logging megabytes cannot grow the buffer without bound.</summary>
    public const int MaxTextChars = 8192;

    private readonly Lock _lock = new();
    private readonly Queue<ConsoleEntry> _entries = new();
    private long _dropped;

    public void Add(ConsoleEntry entry)
    {
        if (entry.Text.Length > MaxTextChars) entry = entry with { Text = entry.Text[..MaxTextChars] + "..." };
        lock (_lock)
        {
            _entries.Enqueue(entry);
            while (_entries.Count > capacity)
            {
                _entries.Dequeue();
                _dropped++;
            }
        }
    }

    /// <summary>Messages dropped to respect the capacity.</summary>
    public long Dropped
    {
        get
        {
            lock (_lock) return _dropped;
        }
    }

    public IReadOnlyList<ConsoleEntry> Snapshot()
    {
        lock (_lock) return [.. _entries];
    }
}
