using ProxyMcp.Interceptors.Humanizer;

namespace ProxyMcp.Interceptors.Tests.Humanizer;

public sealed class IdlePlannerTests
{
    [Theory]
    [InlineData(IdleIntensity.Subtle, 3.0, 400, 1200)]
    [InlineData(IdleIntensity.Normal, 8.0, 200, 600)]
    public void Idle_drifts_the_pointer_in_small_steps_within_the_duration(IdleIntensity intensity, double jitter, double minInterval, double maxInterval)
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var plan = IdlePlanner.Plan(10_000, intensity, new ScreenPoint(200, 150), new HumanRandom(seed), maxX: 1279, maxY: 719);
            var actions = plan.Script.Actions;
            var position = new ScreenPoint(200, 150);
            double previousAt = 0;
            foreach (var action in actions)
            {
                Assert.True(action.AtMs > previousAt && action.AtMs <= 10_000, $"seed {seed}: {action.AtMs}");
                // Steps are 70–130 % of one base interval (the last one may be cut short).
                if (action.AtMs < 10_000) Assert.True(action.AtMs - previousAt >= minInterval * 0.7 - 0.2, $"seed {seed}");
                Assert.True(action.AtMs - previousAt <= maxInterval * 1.3 * 2 + 0.2, $"seed {seed}"); // a skipped zero-scroll doubles a gap
                previousAt = action.AtMs;
                if (action.Kind == InputActionKind.Move)
                {
                    Assert.InRange(Math.Abs(action.X - position.X), 0, jitter + 0.01);
                    Assert.InRange(Math.Abs(action.Y - position.Y), 0, jitter + 0.01);
                    Assert.InRange(action.X, 0, 1279);
                    Assert.InRange(action.Y, 0, 719);
                    position = new ScreenPoint(action.X, action.Y);
                }
                else
                {
                    Assert.Equal(InputActionKind.Wheel, action.Kind);
                    Assert.InRange(Math.Abs(action.Y), 1, 20);
                }
            }
            Assert.Equal(position, plan.FinalPosition);
            Assert.Equal(actions.Count, plan.Moves + plan.Scrolls);
            Assert.InRange(actions.Count, (int)(10_000 / (maxInterval * 1.3)) - 2, (int)(10_000 / (minInterval * 0.7)) + 1);
        }
    }

    [Fact]
    public void Normal_intensity_scrolls_more_often_than_subtle()
    {
        var subtle = Enumerable.Range(0, 100).Sum(seed => IdlePlanner.Plan(20_000, IdleIntensity.Subtle, default, new HumanRandom(seed)).Scrolls);
        var normal = Enumerable.Range(0, 100).Sum(seed => IdlePlanner.Plan(20_000, IdleIntensity.Normal, default, new HumanRandom(seed)).Scrolls);
        Assert.True(normal > subtle * 3, $"normal {normal}, subtle {subtle}");
    }

    [Fact]
    public void The_pointer_never_leaves_the_viewport_from_a_corner_and_a_seed_replays()
    {
        var plan = IdlePlanner.Plan(30_000, IdleIntensity.Normal, new ScreenPoint(0, 0), new HumanRandom(11));
        Assert.All(plan.Script.Actions.Where(a => a.Kind == InputActionKind.Move), a => Assert.True(a.X >= 0 && a.Y >= 0));
        Assert.Equal(plan.Script.Actions, IdlePlanner.Plan(30_000, IdleIntensity.Normal, new ScreenPoint(0, 0), new HumanRandom(11)).Script.Actions);
        Assert.Empty(IdlePlanner.Plan(0, IdleIntensity.Subtle, default, new HumanRandom(1)).Script.Actions);
    }
}
