namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>What one planned input event does.</summary>
public enum InputActionKind
{
    /// <summary>Pointer moves to (X, Y).</summary>
    Move,
    /// <summary>Button pressed at the current position.</summary>
    Down,
    /// <summary>Button released.</summary>
    Up,
    /// <summary>Text typed as one key (or inserted, for characters no key produces).</summary>
    Type,
    /// <summary>A named key pressed and released: Backspace, Enter, Tab.</summary>
    Press,
    /// <summary>Mouse wheel by (X, Y) pixels.</summary>
    Wheel,
}

public enum PointerButton
{
    Left,
    Right,
    Middle,
}

/// <summary>One input event and when it is due, in ms from the start of its script.</summary>
public sealed record InputAction(double AtMs, InputActionKind Kind)
{
    public double X { get; init; }
    public double Y { get; init; }
    public string? Key { get; init; }
    public PointerButton Button { get; init; }
    public int ClickCount { get; init; } = 1;

    public static InputAction MoveTo(double atMs, ScreenPoint point) => new(atMs, InputActionKind.Move) { X = point.X, Y = point.Y };

    public static InputAction Wheel(double atMs, double deltaX, double deltaY) => new(atMs, InputActionKind.Wheel) { X = deltaX, Y = deltaY };

    public static InputAction Type(double atMs, string text) => new(atMs, InputActionKind.Type) { Key = text };

    public static InputAction Press(double atMs, string key) => new(atMs, InputActionKind.Press) { Key = key };
}

/// <summary>A timed sequence of input events, ready to play; ordered by time.</summary>
public sealed record InputScript(IReadOnlyList<InputAction> Actions)
{
    /// <summary>When the last event is due.</summary>
    public double PlannedMs => Actions.Count == 0 ? 0 : Actions[^1].AtMs;

    public static InputScript Empty { get; } = new([]);
}
