namespace ProxyMcp.Interceptors.Browser;

/// <summary>The paging of the devtools list tools: limit clamped to [1, 500] (non-finite → 50), offset ≥ 0 (spec 5.9).</summary>
public readonly record struct ListWindow(int Offset, int Limit)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static ListWindow From(double? offset, double? limit)
    {
        var size = limit is { } l && double.IsFinite(l) ? (int)Math.Clamp(Math.Floor(l), 1, MaxLimit) : DefaultLimit;
        var skip = offset is { } o && double.IsFinite(o) ? (int)Math.Clamp(Math.Floor(o), 0, int.MaxValue) : 0;
        return new ListWindow(skip, size);
    }

    public IReadOnlyList<T> Apply<T>(IReadOnlyList<T> all) => [.. all.Skip(Offset).Take(Limit)];
}
