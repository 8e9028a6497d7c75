namespace ProxyMcp.Interceptors.Humanizer;

public enum IdleIntensity
{
    Subtle,
    Normal,
}

/// <summary>A planned idle period: its events, and where the pointer ends up.</summary>
public sealed record IdlePlan(InputScript Script, int Moves, int Scrolls, ScreenPoint FinalPosition);

/// <summary>
/// proxy-mcp's idle behaviour, seeded: a base interval is drawn once (subtle 400–1200 ms, normal 200–600 ms); each step waits
/// 70–130 % of it (capped to what is left), then either scrolls by a small random amount (5 % / 15 % of steps; none when
/// it draws 0) or nudges the pointer up to 3 / 8 px per axis from where it is — a random walk, kept inside the viewport.
/// </summary>
public static class IdlePlanner
{
    public static IdlePlan Plan(double durationMs, IdleIntensity intensity, ScreenPoint start, HumanRandom random, double? maxX = null, double? maxY = null)
    {
        var subtle = intensity == IdleIntensity.Subtle;
        var interval = subtle ? random.Uniform(400, 1200) : random.Uniform(200, 600);
        var scrollChance = subtle ? 0.05 : 0.15;
        var jitter = subtle ? 3.0 : 8.0;
        var actions = new List<InputAction>();
        var position = start;
        int moves = 0, scrolls = 0;
        double elapsed = 0;
        while (elapsed < durationMs)
        {
            elapsed += Math.Min(interval * random.Uniform(0.7, 1.3), durationMs - elapsed);
            var at = Math.Round(elapsed, 1);
            if (random.Chance(scrollChance))
            {
                var delta = random.Integer(-20, 20);
                if (delta == 0) continue;
                actions.Add(InputAction.Wheel(at, 0, delta));
                scrolls++;
            }
            else
            {
                var x = Math.Max(0, position.X + random.Uniform(-jitter, jitter));
                var y = Math.Max(0, position.Y + random.Uniform(-jitter, jitter));
                if (maxX is { } mx) x = Math.Min(x, mx);
                if (maxY is { } my) y = Math.Min(y, my);
                position = new ScreenPoint(x, y).Rounded();
                actions.Add(InputAction.MoveTo(at, position));
                moves++;
            }
        }
        return new IdlePlan(new InputScript(actions), moves, scrolls, position);
    }
}
