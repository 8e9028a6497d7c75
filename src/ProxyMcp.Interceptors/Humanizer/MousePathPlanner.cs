namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>
/// Plans human-like pointer movements: a cubic Bézier curve with random sideways control points, travelled with a
/// minimum-jerk velocity profile (slow–fast–slow) in the time Fitts's law gives for the distance and target width,
/// with hand tremor on the intermediate points and, on long moves, an overshoot past the target followed by a short
/// corrective movement. Pure: the same seed gives the same path.
/// </summary>
public static class MousePathPlanner
{
    /// <summary>Fitts's law (Shannon form): a + b·log2(D/W + 1).</summary>
    public static double FittsMs(double distance, double targetWidth, HumanProfile profile) =>
        profile.FittsInterceptMs + profile.FittsSlopeMs * Math.Log2(distance / Math.Max(1, targetWidth) + 1);

    public static MousePath Plan(ScreenPoint from, ScreenPoint to, double targetWidth, HumanProfile profile, HumanRandom random)
    {
        to = to.Rounded();
        var distance = from.DistanceTo(to);
        if (distance < 0.5) return new MousePath([], 0, distance, 0, false);

        var fitts = FittsMs(distance, targetWidth, profile);
        var duration = fitts * random.Gaussian(1, profile.SpeedJitter, 0.75, 1.35);
        var steps = new List<MouseStep>();
        var overshoot = distance >= profile.OvershootMinDistancePx && random.Chance(profile.OvershootProbability);
        if (!overshoot)
        {
            AppendSegment(steps, from, to, duration, 0, profile, random);
        }
        else
        {
            var direction = new ScreenPoint((to.X - from.X) / distance, (to.Y - from.Y) / distance);
            var past = Math.Min(distance * random.Uniform(profile.OvershootMinFraction, profile.OvershootMaxFraction), profile.OvershootMaxPx);
            var sideways = random.Gaussian(0, past * 0.3);
            var beyond = new ScreenPoint(
                to.X + direction.X * past - direction.Y * sideways,
                to.Y + direction.Y * past + direction.X * sideways).Rounded();
            // The ballistic part is a little quicker than a precise aim; the correction is a small aimed movement of its own.
            var ballistic = duration * 0.9;
            AppendSegment(steps, from, beyond, ballistic, 0, profile, random);
            var pause = random.Uniform(40, 110);
            var correction = FittsMs(beyond.DistanceTo(to), targetWidth, profile) * random.Gaussian(1, profile.SpeedJitter, 0.75, 1.35);
            AppendSegment(steps, beyond, to, correction, ballistic + pause, profile, random);
        }
        return new MousePath(steps, steps[^1].AtMs, distance, fitts, overshoot);
    }

    private static void AppendSegment(List<MouseStep> steps, ScreenPoint from, ScreenPoint to, double durationMs, double startMs,
        HumanProfile profile, HumanRandom random)
    {
        var dx = to.X - from.X;
        var dy = to.Y - from.Y;
        var length = Math.Sqrt(dx * dx + dy * dy);
        // Unit normal to the straight line; both control points lean mostly the same way, as a wrist arc does.
        var (nx, ny) = length > 0 ? (-dy / length, dx / length) : (0.0, 0.0);
        var bend = random.Gaussian(0, profile.Curvature) * length;
        var c1Along = random.Uniform(0.2, 0.4);
        var c2Along = random.Uniform(0.6, 0.8);
        var c1 = new ScreenPoint(from.X + dx * c1Along + nx * bend * random.Uniform(0.6, 1.2), from.Y + dy * c1Along + ny * bend * random.Uniform(0.6, 1.2));
        var c2 = new ScreenPoint(from.X + dx * c2Along + nx * bend * random.Uniform(0.4, 1.0), from.Y + dy * c2Along + ny * bend * random.Uniform(0.4, 1.0));

        var count = Math.Max(2, (int)Math.Ceiling(durationMs / profile.MouseEventIntervalMs));
        for (var i = 1; i <= count; i++)
        {
            var tau = (double)i / count;
            var point = Bezier(from, c1, c2, to, MinimumJerk(tau));
            if (i < count)
            {
                var tremor = random.Gaussian(0, profile.TremorPx);
                point = new ScreenPoint(point.X + nx * tremor, point.Y + ny * tremor);
            }
            else
            {
                point = to;
            }
            point = point.Rounded();
            steps.Add(new MouseStep(point.X, point.Y, Math.Round(startMs + durationMs * tau, 1)));
        }
    }

    /// <summary>Share of the distance covered at time fraction τ when jerk is minimal (Flash &amp; Hogan): 10τ³ − 15τ⁴ + 6τ⁵.</summary>
    internal static double MinimumJerk(double tau) => tau * tau * tau * (10 - 15 * tau + 6 * tau * tau);

    internal static ScreenPoint Bezier(ScreenPoint p0, ScreenPoint p1, ScreenPoint p2, ScreenPoint p3, double t)
    {
        var u = 1 - t;
        var a = u * u * u;
        var b = 3 * u * u * t;
        var c = 3 * u * t * t;
        var d = t * t * t;
        return new ScreenPoint(a * p0.X + b * p1.X + c * p2.X + d * p3.X, a * p0.Y + b * p1.Y + c * p2.Y + d * p3.Y);
    }
}
