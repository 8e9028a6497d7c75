using ProxyMcp.Interceptors.Humanizer;

namespace ProxyMcp.Interceptors.Tests.Humanizer;

public sealed class MousePathPlannerTests
{
    private static readonly HumanProfile Profile = HumanProfile.Default;

    private static MousePath Plan(int seed, ScreenPoint from, ScreenPoint to, HumanProfile? profile = null) =>
        MousePathPlanner.Plan(from, to, 24, profile ?? Profile, new HumanRandom(seed));

    [Fact]
    public void The_same_seed_gives_the_same_path_and_another_seed_a_different_one()
    {
        var a = Plan(42, new(10, 10), new(700, 420));
        var b = Plan(42, new(10, 10), new(700, 420));
        var c = Plan(43, new(10, 10), new(700, 420));

        Assert.Equal(a.Steps, b.Steps);
        Assert.Equal(a.DurationMs, b.DurationMs);
        Assert.NotEqual(a.Steps, c.Steps);
    }

    [Fact]
    public void Paths_end_exactly_on_the_destination_with_increasing_times()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var path = Plan(seed, new(5, 5), new(640.5, 300.25));
            Assert.Equal(new ScreenPoint(640.5, 300.25), path.Steps[^1].Point);
            Assert.Equal(path.DurationMs, path.Steps[^1].AtMs);
            for (var i = 1; i < path.Steps.Count; i++) Assert.True(path.Steps[i].AtMs > path.Steps[i - 1].AtMs, $"seed {seed}, step {i}");
            // One pointer event per ~16 ms frame, at most.
            Assert.True(path.Steps.Count <= Math.Ceiling(path.DurationMs / Profile.MouseEventIntervalMs) + 2, $"seed {seed}");
        }
    }

    [Fact]
    public void Fitts_law_gives_longer_times_for_farther_and_smaller_targets()
    {
        Assert.Equal(Profile.FittsInterceptMs, MousePathPlanner.FittsMs(0, 24, Profile));
        Assert.True(MousePathPlanner.FittsMs(800, 24, Profile) > MousePathPlanner.FittsMs(100, 24, Profile));
        Assert.True(MousePathPlanner.FittsMs(400, 8, Profile) > MousePathPlanner.FittsMs(400, 80, Profile));
        // a + b·log2(D/W + 1): 80 + 140·log2(31) for D = 720, W = 24.
        Assert.Equal(80 + 140 * Math.Log2(31), MousePathPlanner.FittsMs(720, 24, Profile), 6);
        Assert.True(MousePathPlanner.FittsMs(400, 24, HumanProfile.Careful) > MousePathPlanner.FittsMs(400, 24, Profile));
    }

    [Fact]
    public void Movement_time_stays_near_the_fitts_prediction()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var path = Plan(seed, new(0, 0), new(120, 90));
            Assert.False(path.Overshoot); // Too short to overshoot.
            Assert.InRange(path.DurationMs, path.FittsMs * 0.75 - 0.1, path.FittsMs * 1.35 + 0.1);
        }
    }

    [Fact]
    public void Speed_follows_a_bell_profile_slow_at_both_ends_fast_in_the_middle()
    {
        var path = Enumerable.Range(0, 50).Select(seed => Plan(seed, new(0, 0), new(900, 0))).First(p => !p.Overshoot);
        var points = new[] { new MouseStep(0, 0, 0) }.Concat(path.Steps).ToList();
        var steps = points.Zip(points.Skip(1), (a, b) => a.Point.DistanceTo(b.Point)).ToList();
        var middle = steps.Skip(steps.Count / 3).Take(steps.Count / 3).Average();
        Assert.True(steps[0] < middle / 3, $"first {steps[0]} vs middle {middle}");
        Assert.True(steps[^1] < middle / 3, $"last {steps[^1]} vs middle {middle}");
    }

    [Fact]
    public void Long_moves_sometimes_overshoot_past_the_target_and_come_back()
    {
        var paths = Enumerable.Range(0, 200).Select(seed => Plan(seed, new(0, 300), new(1000, 300))).ToList();
        var overshooting = paths.Where(p => p.Overshoot).ToList();

        Assert.InRange(overshooting.Count, 40, 110); // 35 % of 200
        foreach (var path in overshooting)
        {
            Assert.True(path.Steps.Max(s => s.X) > 1000 + 1000 * Profile.OvershootMinFraction * 0.9);
            Assert.True(path.Steps.Max(s => s.X) <= 1000 + Profile.OvershootMaxPx * 1.5);
            Assert.Equal(1000, path.Steps[^1].X);
        }
        Assert.All(paths.Where(p => !p.Overshoot), p => Assert.True(p.Steps.Max(s => s.X) <= 1000 + 3));
    }

    [Fact]
    public void Paths_curve_away_from_the_straight_line_but_not_wildly()
    {
        var deviations = Enumerable.Range(0, 100)
            .Select(seed => Plan(seed, new(0, 500), new(800, 500)).Steps.Max(s => Math.Abs(s.Y - 500)))
            .ToList();
        Assert.True(deviations.Average() > 5, $"average {deviations.Average()}");
        Assert.True(deviations.Max() < 800 * 0.6, $"max {deviations.Max()}");
    }

    [Fact]
    public void No_movement_for_a_destination_under_the_pointer()
    {
        var path = Plan(1, new(100, 100), new(100.2, 100));
        Assert.Empty(path.Steps);
        Assert.Equal(0, path.DurationMs);
    }
}
