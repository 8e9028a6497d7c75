using ProxyMcp.Interceptors.Humanizer;

namespace ProxyMcp.Interceptors.Tests.Humanizer;

public sealed class ScrollPlannerTests
{
    [Theory]
    [InlineData(0, 600)]
    [InlineData(0, -357)]
    [InlineData(250, 0)]
    [InlineData(-33, 1234)]
    [InlineData(0, 1)]
    [InlineData(0, 100_000)]
    public void Wheel_steps_add_up_exactly_to_the_delta(double dx, double dy)
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var plan = ScrollPlanner.Plan(dx, dy, HumanProfile.Default, new HumanRandom(seed));
            Assert.Equal(dx, plan.Script.Actions.Sum(a => a.X));
            Assert.Equal(dy, plan.Script.Actions.Sum(a => a.Y));
            Assert.All(plan.Script.Actions, a => Assert.Equal(InputActionKind.Wheel, a.Kind));
            Assert.InRange(plan.Steps, 1, ScrollPlanner.MaxSteps);
            Assert.Equal(plan.Steps, plan.Script.Actions.Count);
        }
    }

    [Fact]
    public void Steps_ease_in_and_out()
    {
        var steps = ScrollPlanner.Plan(0, 1000, HumanProfile.Default, new HumanRandom(1)).Script.Actions.Select(a => a.Y).ToList();
        Assert.True(steps.Count >= 5);
        Assert.True(steps[0] < steps.Max() / 2);
        Assert.True(steps[^1] < steps.Max() / 2);
        Assert.All(steps, s => Assert.True(s > 0));
    }

    [Fact]
    public void Steps_come_at_a_wheel_pace_and_nothing_happens_for_a_zero_delta()
    {
        var actions = ScrollPlanner.Plan(0, 800, HumanProfile.Default, new HumanRandom(2)).Script.Actions;
        for (var i = 1; i < actions.Count; i++)
        {
            Assert.InRange(actions[i].AtMs - actions[i - 1].AtMs, 24 * 0.8 - 0.1, 24 * 1.25 + 0.1);
        }
        Assert.Equal(0, ScrollPlanner.Plan(0, 0, HumanProfile.Default, new HumanRandom(2)).Steps);
        Assert.Single(ScrollPlanner.Direct(0, 500).Script.Actions);
    }
}
