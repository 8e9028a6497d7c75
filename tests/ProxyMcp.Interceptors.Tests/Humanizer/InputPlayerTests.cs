using ProxyMcp.Interceptors.Humanizer;

namespace ProxyMcp.Interceptors.Tests.Humanizer;

public sealed class InputPlayerTests
{
    /// <summary>A clock that only moves when someone waits on it, or when the device says an event took time.</summary>
    private sealed class VirtualClock : InputClock
    {
        public double Now { get; set; }

        public override double ElapsedMs => Now;

        public override Task DelayAsync(double milliseconds, CancellationToken cancellationToken)
        {
            Now += milliseconds;
            return Task.CompletedTask;
        }
    }

    private sealed class RecordingDevice(VirtualClock clock, double latencyMs = 0) : IInputDevice
    {
        public List<(double At, string Event)> Events { get; } = [];

        private Task Record(string text)
        {
            Events.Add((clock.Now, text));
            clock.Now += latencyMs;
            return Task.CompletedTask;
        }

        public Task MoveAsync(double x, double y, CancellationToken cancellationToken) => Record($"move {x},{y}");
        public Task DownAsync(PointerButton button, int clickCount, CancellationToken cancellationToken) => Record($"down {button} {clickCount}");
        public Task UpAsync(PointerButton button, int clickCount, CancellationToken cancellationToken) => Record($"up {button} {clickCount}");
        public Task TypeAsync(string text, CancellationToken cancellationToken) => Record($"type {text}");
        public Task PressAsync(string key, CancellationToken cancellationToken) => Record($"press {key}");
        public Task WheelAsync(double deltaX, double deltaY, CancellationToken cancellationToken) => Record($"wheel {deltaX},{deltaY}");
    }

    [Fact]
    public async Task Events_are_sent_when_they_are_due()
    {
        var clock = new VirtualClock();
        var device = new RecordingDevice(clock);
        var script = new InputScript([
            InputAction.MoveTo(0, new(1, 1)),
            InputAction.MoveTo(16, new(2, 2)),
            new InputAction(100, InputActionKind.Down),
            new InputAction(180, InputActionKind.Up),
            InputAction.Type(300, "x"),
            InputAction.Press(400, "Backspace"),
            InputAction.Wheel(450, 0, 30),
        ]);

        var result = await InputPlayer.PlayAsync(script, device, clock, minimumMs: 1000);

        Assert.Equal([(0.0, "move 1,1"), (16, "move 2,2"), (100, "down Left 1"), (180, "up Left 1"), (300, "type x"), (400, "press Backspace"),
            (450, "wheel 0,30")], device.Events);
        Assert.Equal(7, result.EventsDispatched);
        Assert.Equal(1000, result.TotalMs);
    }

    [Fact]
    public async Task A_slow_device_loses_intermediate_points_but_keeps_the_end_and_every_press()
    {
        var clock = new VirtualClock();
        var device = new RecordingDevice(clock, latencyMs: 40);
        var plan = ClickPlanner.Plan(new(0, 0), new(800, 600), 24, PointerButton.Left, 1, HumanProfile.Default, new HumanRandom(4));

        var result = await InputPlayer.PlayAsync(plan.Script, device, clock);

        Assert.True(result.MovesSkipped > 0);
        Assert.Equal(plan.Script.Actions.Count, result.EventsDispatched + result.MovesSkipped);
        Assert.Equal(["move 800,600", "down Left 1", "up Left 1"], device.Events.TakeLast(3).Select(e => e.Event));
        // Behind schedule by at most one event's latency.
        Assert.InRange(result.TotalMs, plan.Script.PlannedMs, plan.Script.PlannedMs + 40 + 1);
    }
}
