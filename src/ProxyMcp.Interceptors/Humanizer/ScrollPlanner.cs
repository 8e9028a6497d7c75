namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>A planned scroll: its wheel events and how many there are.</summary>
public sealed record ScrollPlan(InputScript Script, int Steps);

/// <summary>
/// Plans a scroll as a burst of wheel events whose sizes follow an ease-in-out curve (small, large, small), at a
/// wheel's pace with a little jitter; the steps add up exactly to the requested delta. Pure.
/// </summary>
public static class ScrollPlanner
{
    public const int MaxSteps = 60;

    public static ScrollPlan Plan(double deltaX, double deltaY, HumanProfile profile, HumanRandom random)
    {
        var distance = Math.Max(Math.Abs(deltaX), Math.Abs(deltaY));
        if (distance == 0) return new ScrollPlan(InputScript.Empty, 0);
        var count = Math.Clamp((int)Math.Ceiling(distance / profile.ScrollStepPx) + 1, 2, MaxSteps);
        var actions = new List<InputAction>(count);
        double at = 0, doneX = 0, doneY = 0;
        for (var k = 1; k <= count; k++)
        {
            var eased = (1 - Math.Cos(Math.PI * k / count)) / 2;
            // Rounded cumulatively, so the sum of the steps is the requested delta to the pixel.
            var targetX = k == count ? deltaX : Math.Round(deltaX * eased);
            var targetY = k == count ? deltaY : Math.Round(deltaY * eased);
            var stepX = targetX - doneX;
            var stepY = targetY - doneY;
            if (stepX == 0 && stepY == 0) continue;
            actions.Add(InputAction.Wheel(Math.Round(at, 1), stepX, stepY));
            doneX = targetX;
            doneY = targetY;
            at += profile.ScrollStepIntervalMs * random.Uniform(0.8, 1.25);
        }
        return new ScrollPlan(new InputScript(actions), actions.Count);
    }

    /// <summary>One wheel event for the whole delta (spec behaviour, used without humanization).</summary>
    public static ScrollPlan Direct(double deltaX, double deltaY) => new(new InputScript([InputAction.Wheel(0, deltaX, deltaY)]), 1);
}
