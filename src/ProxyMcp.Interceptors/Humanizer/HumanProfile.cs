namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>
/// The parameters of simulated human input. proxy-mcp delegated this to its stealth browser's "humanize" presets
/// (default, careful); these are our own, with the same two names.
/// </summary>
public sealed record HumanProfile
{
    public const string DefaultName = "default";
    public const string CarefulName = "careful";

    public required string Name { get; init; }

    /// <summary>Fitts's law, MT = a + b·log2(D/W + 1): the intercept a, in ms.</summary>
    public double FittsInterceptMs { get; init; } = 80;

    /// <summary>Fitts's law slope b, ms per bit of difficulty.</summary>
    public double FittsSlopeMs { get; init; } = 140;

    /// <summary>Target width assumed when moving to bare coordinates.</summary>
    public double DefaultTargetWidth { get; init; } = 24;

    /// <summary>Standard deviation of the per-movement speed factor (1 = exactly Fitts).</summary>
    public double SpeedJitter { get; init; } = 0.10;

    /// <summary>Standard deviation of a Bézier control point's sideways offset, as a fraction of the distance.</summary>
    public double Curvature { get; init; } = 0.12;

    /// <summary>Standard deviation of the hand tremor added to intermediate points, in px.</summary>
    public double TremorPx { get; init; } = 0.6;

    /// <summary>Time between mouse-move events (a 60 Hz pointer).</summary>
    public double MouseEventIntervalMs { get; init; } = 16;

    /// <summary>Chance that a long movement overshoots the target and corrects back.</summary>
    public double OvershootProbability { get; init; } = 0.35;

    /// <summary>Movements shorter than this never overshoot.</summary>
    public double OvershootMinDistancePx { get; init; } = 160;

    /// <summary>How far past the target an overshoot goes, as a fraction of the distance (then capped).</summary>
    public double OvershootMinFraction { get; init; } = 0.03;
    public double OvershootMaxFraction { get; init; } = 0.08;
    public double OvershootMaxPx { get; init; } = 48;

    /// <summary>Pause between arriving on an element and pressing the button.</summary>
    public double ClickSettleMinMs { get; init; } = 40;
    public double ClickSettleMaxMs { get; init; } = 140;

    /// <summary>How long the button is held.</summary>
    public double ClickHoldMeanMs { get; init; } = 85;
    public double ClickHoldSdMs { get; init; } = 20;

    /// <summary>Between the clicks of a double click.</summary>
    public double MultiClickGapMeanMs { get; init; } = 110;

    /// <summary>Typing speed, words (5 characters) per minute, and its variation between calls.</summary>
    public double TypingWpm { get; init; } = 62;
    public double TypingWpmSd { get; init; } = 6;

    /// <summary>σ of the log-normal noise on each key interval.</summary>
    public double KeyIntervalSpread { get; init; } = 0.25;

    /// <summary>How long it takes to notice a typo before pressing Backspace.</summary>
    public double TypoNoticeMeanMs { get; init; } = 280;

    /// <summary>Wheel: pixels per notch-like step, and time between steps.</summary>
    public double ScrollStepPx { get; init; } = 100;
    public double ScrollStepIntervalMs { get; init; } = 24;

    public static HumanProfile Default { get; } = new() { Name = DefaultName };

    /// <summary>Slower, more precise, fewer overshoots: a user who takes their time.</summary>
    public static HumanProfile Careful { get; } = new()
    {
        Name = CarefulName,
        FittsInterceptMs = 120,
        FittsSlopeMs = 190,
        SpeedJitter = 0.08,
        Curvature = 0.08,
        TremorPx = 0.4,
        OvershootProbability = 0.15,
        OvershootMaxFraction = 0.05,
        OvershootMaxPx = 24,
        ClickSettleMinMs = 90,
        ClickSettleMaxMs = 240,
        ClickHoldMeanMs = 100,
        TypingWpm = 42,
        TypingWpmSd = 4,
        KeyIntervalSpread = 0.2,
        TypoNoticeMeanMs = 350,
        ScrollStepPx = 80,
        ScrollStepIntervalMs = 32,
    };

    /// <summary>The profile for a human_preset value; null for an unknown name.</summary>
    public static HumanProfile? FromPreset(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or DefaultName => Default,
        CarefulName => Careful,
        _ => null,
    };
}
