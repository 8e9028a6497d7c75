namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>One point of a planned pointer path and when the pointer is there (ms from the start of the movement).</summary>
public readonly record struct MouseStep(double X, double Y, double AtMs)
{
    public ScreenPoint Point => new(X, Y);
}

/// <summary>A planned pointer movement: its points (the last is exactly the destination), timing and shape.</summary>
/// <param name="Steps">Points in order; empty when start and destination coincide.</param>
/// <param name="DurationMs">When the last point is reached.</param>
/// <param name="DistancePx">Straight-line distance from start to destination.</param>
/// <param name="FittsMs">Movement time Fitts's law predicts for the distance and target width (before speed variation).</param>
/// <param name="Overshoot">Whether the path goes past the destination and corrects back.</param>
public sealed record MousePath(IReadOnlyList<MouseStep> Steps, double DurationMs, double DistancePx, double FittsMs, bool Overshoot)
{
    public InputScript ToScript(double startMs = 0) =>
        new([.. Steps.Select(s => InputAction.MoveTo(startMs + s.AtMs, s.Point))]);
}
