namespace ProxyMcp.Interceptors.Browser;

/// <summary>A value shortened for display, and whether it was.</summary>
public readonly record struct CappedValue(string Value, int Length, bool Truncated);

/// <summary>The value caps of the devtools-equivalent tools (spec 5.9): clamped to [0, 20000], 0 meaning "no cap".</summary>
public static class ValueCap
{
    public const int Max = 20_000;

    public static int Clamp(double? requested, int fallback)
    {
        if (requested is not { } value || double.IsNaN(value) || double.IsInfinity(value)) return fallback;
        return (int)Math.Clamp(Math.Floor(value), 0, Max);
    }

    /// <summary>Cut to <paramref name="cap"/> characters with "..." appended (cap 0 = whole value).</summary>
    public static CappedValue Apply(string value, int cap, bool marker = true)
    {
        if (cap == 0 || value.Length <= cap) return new CappedValue(value, value.Length, false);
        var keep = cap;
        if (char.IsHighSurrogate(value[keep - 1])) keep--;
        return new CappedValue(marker ? value[..keep] + "..." : value[..keep], value.Length, true);
    }
}
