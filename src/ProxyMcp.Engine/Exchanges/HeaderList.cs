namespace ProxyMcp.Engine.Exchanges;

/// <summary>Headers as they crossed the wire: order, case and repeats kept (one entry per field line).</summary>
public sealed class HeaderList : List<KeyValuePair<string, string>>
{
    public HeaderList() { }

    public HeaderList(IEnumerable<KeyValuePair<string, string>> fields) : base(fields) { }

    public void Add(string name, string value) => Add(new KeyValuePair<string, string>(name, value));

    /// <summary>First value of a header, compared case-insensitively.</summary>
    public string? Get(string name)
    {
        foreach (var (key, value) in this)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return value;
        }
        return null;
    }

    /// <summary>
    /// The proxy-mcp shape: lower-cased names, repeated fields joined with ", " in arrival order.
    /// Lossy for Set-Cookie, which is why the raw list is kept alongside.
    /// </summary>
    public Dictionary<string, string> ToJoinedMap()
    {
        var map = new Dictionary<string, string>(Count, StringComparer.Ordinal);
        foreach (var (key, value) in this)
        {
            var name = key.ToLowerInvariant();
            map[name] = map.TryGetValue(name, out var existing) ? existing + ", " + value : value;
        }
        return map;
    }
}
