namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>A planned click: the approach path, then the presses.</summary>
/// <param name="Path">Movement from the current pointer position to <paramref name="Point"/>.</param>
/// <param name="Point">Where the button is pressed.</param>
/// <param name="Script">Every event: the path's moves, then down/up per click.</param>
public sealed record ClickPlan(MousePath Path, ScreenPoint Point, InputScript Script);

/// <summary>
/// Plans clicks the way a hand makes them: aim at a point near the element's centre (not its exact centre), arrive,
/// settle briefly, hold the button for a human duration; a double click repeats the press after a short gap.
/// </summary>
public static class ClickPlanner
{
    /// <summary>A point inside the box, normally distributed around the centre and kept off the outer 15 % of each side.</summary>
    public static ScreenPoint AimPoint(TargetBox box, HumanRandom random)
    {
        var centre = box.Centre;
        var x = Math.Clamp(random.Gaussian(centre.X, box.Width / 8), box.X + box.Width * 0.15, box.X + box.Width * 0.85);
        var y = Math.Clamp(random.Gaussian(centre.Y, box.Height / 8), box.Y + box.Height * 0.15, box.Y + box.Height * 0.85);
        return new ScreenPoint(x, y).Rounded();
    }

    public static ClickPlan Plan(ScreenPoint from, ScreenPoint point, double targetWidth, PointerButton button, int clickCount,
        HumanProfile profile, HumanRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(clickCount, 1);
        var path = MousePathPlanner.Plan(from, point, targetWidth, profile, random);
        var actions = new List<InputAction>(path.ToScript().Actions);
        var at = path.DurationMs + random.Uniform(profile.ClickSettleMinMs, profile.ClickSettleMaxMs);
        for (var click = 1; click <= clickCount; click++)
        {
            if (click > 1) at += random.Gaussian(profile.MultiClickGapMeanMs, 20, 60, 180);
            actions.Add(new InputAction(Math.Round(at, 1), InputActionKind.Down) { Button = button, ClickCount = click });
            at += random.Gaussian(profile.ClickHoldMeanMs, profile.ClickHoldSdMs, 40, 220);
            actions.Add(new InputAction(Math.Round(at, 1), InputActionKind.Up) { Button = button, ClickCount = click });
        }
        return new ClickPlan(path, point.Rounded(), new InputScript(actions));
    }

    /// <summary>A click without humanization: jump to the point, press and release at once.</summary>
    public static InputScript Direct(ScreenPoint point, PointerButton button, int clickCount)
    {
        var actions = new List<InputAction> { InputAction.MoveTo(0, point) };
        for (var click = 1; click <= clickCount; click++)
        {
            actions.Add(new InputAction(0, InputActionKind.Down) { Button = button, ClickCount = click });
            actions.Add(new InputAction(0, InputActionKind.Up) { Button = button, ClickCount = click });
        }
        return new InputScript(actions);
    }
}
