using ProxyMcp.Interceptors.Humanizer;

namespace ProxyMcp.Interceptors.Tests.Humanizer;

public sealed class ClickPlannerTests
{
    [Fact]
    public void Aim_points_stay_inside_the_element_and_off_its_edges()
    {
        var box = new TargetBox(300, 200, 160, 48);
        var points = Enumerable.Range(0, 500).Select(seed => ClickPlanner.AimPoint(box, new HumanRandom(seed))).ToList();

        Assert.All(points, p =>
        {
            Assert.InRange(p.X, 300 + 160 * 0.15, 300 + 160 * 0.85);
            Assert.InRange(p.Y, 200 + 48 * 0.15, 200 + 48 * 0.85);
        });
        Assert.True(points.Distinct().Count() > 400, "aim points vary");
        Assert.InRange(points.Average(p => p.X), 375, 385);
    }

    [Fact]
    public void A_click_is_a_path_then_press_and_release_with_a_human_hold()
    {
        var plan = ClickPlanner.Plan(new(0, 0), new(380, 224), 48, PointerButton.Left, 1, HumanProfile.Default, new HumanRandom(7));
        var actions = plan.Script.Actions;

        Assert.All(actions.Take(plan.Path.Steps.Count), a => Assert.Equal(InputActionKind.Move, a.Kind));
        var down = actions[^2];
        var up = actions[^1];
        Assert.Equal(InputActionKind.Down, down.Kind);
        Assert.Equal(InputActionKind.Up, up.Kind);
        Assert.Equal(new ScreenPoint(380, 224), plan.Path.Steps[^1].Point);
        Assert.InRange(down.AtMs - plan.Path.DurationMs, HumanProfile.Default.ClickSettleMinMs - 0.1, HumanProfile.Default.ClickSettleMaxMs + 0.1);
        Assert.InRange(up.AtMs - down.AtMs, 40 - 0.1, 220 + 0.1);
    }

    [Fact]
    public void A_double_click_presses_twice_with_rising_click_counts()
    {
        var plan = ClickPlanner.Plan(new(0, 0), new(50, 50), 20, PointerButton.Right, 2, HumanProfile.Default, new HumanRandom(3));
        var presses = plan.Script.Actions.Where(a => a.Kind is InputActionKind.Down or InputActionKind.Up).ToList();

        Assert.Equal([(InputActionKind.Down, 1), (InputActionKind.Up, 1), (InputActionKind.Down, 2), (InputActionKind.Up, 2)],
            presses.Select(a => (a.Kind, a.ClickCount)));
        Assert.All(presses, a => Assert.Equal(PointerButton.Right, a.Button));
        Assert.InRange(presses[2].AtMs - presses[1].AtMs, 60 - 0.1, 180 + 0.1);
    }

    [Fact]
    public void A_direct_click_is_three_immediate_events()
    {
        var script = ClickPlanner.Direct(new(10, 20), PointerButton.Left, 1);

        Assert.Equal([InputActionKind.Move, InputActionKind.Down, InputActionKind.Up], script.Actions.Select(a => a.Kind));
        Assert.All(script.Actions, a => Assert.Equal(0, a.AtMs));
    }
}
