using Microsoft.Playwright;

namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>What a humanizer action did: the seed it used, the plan's shape and the playback figures.</summary>
public sealed record HumanizerOutcome
{
    public required int Seed { get; init; }
    public required bool Humanized { get; init; }
    public required PlaybackResult Playback { get; init; }
    public required double PlannedMs { get; init; }
    /// <summary>The pointer path, for move and click.</summary>
    public MousePath? Path { get; init; }
    /// <summary>Where the pointer ended (move, click, idle).</summary>
    public ScreenPoint? Position { get; init; }
    public string? ResolvedBy { get; init; }
    public TypingPlan? Typing { get; init; }
    public int ScrollSteps { get; init; }
    public IdlePlan? Idle { get; init; }
}

/// <summary>
/// Runs the humanizer's actions on a browser page: plans them with the target's input style and a seed, then plays the
/// events through Playwright's mouse and keyboard. proxy-mcp left motion to its stealth browser; here every path, key
/// interval and wheel step comes from our own planners, so a seed reproduces them exactly.
/// </summary>
public static class HumanInput
{
    /// <summary>Waits at most this long for an element's bounding box once it is actionable (proxy-mcp: 5 s).</summary>
    private const float BoxTimeoutMs = 5000;

    public static async Task<HumanizerOutcome> MoveAsync(IPage page, TargetInput input, ScreenPoint destination, int seed,
        CancellationToken cancellationToken)
    {
        var random = new HumanRandom(seed);
        return await WithGateAsync(input, async () =>
        {
            MousePath? path = null;
            InputScript script;
            if (input.Style.Humanize)
            {
                path = MousePathPlanner.Plan(input.Position, destination, input.Style.Profile.DefaultTargetWidth, input.Style.Profile, random);
                script = path.Steps.Count == 0 ? new InputScript([InputAction.MoveTo(0, destination)]) : path.ToScript();
            }
            else
            {
                script = new InputScript([InputAction.MoveTo(0, destination)]);
            }
            var playback = await PlayAsync(page, script, 0, cancellationToken);
            input.Position = destination;
            return new HumanizerOutcome
            {
                Seed = seed, Humanized = input.Style.Humanize, Playback = playback, PlannedMs = script.PlannedMs, Path = path,
                Position = destination,
            };
        }, cancellationToken);
    }

    public static async Task<HumanizerOutcome> ClickAsync(IPage page, TargetInput input, ClickTarget target, PointerButton button,
        int clickCount, float timeoutMs, int seed, CancellationToken cancellationToken)
    {
        var resolvedBy = target.ResolvedBy;
        var random = new HumanRandom(seed);
        return await WithGateAsync(input, async () =>
        {
            ScreenPoint point;
            double width;
            if (target.Locate(page) is { } locator)
            {
                // A trial click runs Playwright's actionability checks (attached, visible, stable, enabled, receives events)
                // and scrolls the element into view, without clicking: the click itself is ours.
                await locator.ClickAsync(new LocatorClickOptions { Trial = true, Timeout = timeoutMs }).WaitAsync(cancellationToken);
                var box = await locator.BoundingBoxAsync(new LocatorBoundingBoxOptions { Timeout = BoxTimeoutMs }).WaitAsync(cancellationToken)
                    ?? throw new InterceptorException("The element has no bounding box (it is not visible).");
                var targetBox = new TargetBox(box.X, box.Y, box.Width, box.Height);
                point = input.Style.Humanize ? ClickPlanner.AimPoint(targetBox, random) : targetBox.Centre.Rounded();
                width = Math.Max(4, Math.Min(box.Width, box.Height));
            }
            else
            {
                point = new ScreenPoint(target.X!.Value, target.Y!.Value);
                width = input.Style.Profile.DefaultTargetWidth;
            }

            MousePath? path = null;
            InputScript script;
            if (input.Style.Humanize)
            {
                var plan = ClickPlanner.Plan(input.Position, point, width, button, clickCount, input.Style.Profile, random);
                path = plan.Path;
                script = plan.Script;
            }
            else
            {
                script = ClickPlanner.Direct(point, button, clickCount);
            }
            var playback = await PlayAsync(page, script, 0, cancellationToken);
            input.Position = point;
            return new HumanizerOutcome
            {
                Seed = seed, Humanized = input.Style.Humanize, Playback = playback, PlannedMs = script.PlannedMs, Path = path,
                Position = point, ResolvedBy = resolvedBy,
            };
        }, cancellationToken);
    }

    public static async Task<HumanizerOutcome> TypeAsync(IPage page, TargetInput input, string text, TypingOptions options, int seed,
        CancellationToken cancellationToken)
    {
        var random = new HumanRandom(seed);
        return await WithGateAsync(input, async () =>
        {
            var plan = input.Style.Humanize
                ? TypingPlanner.Plan(text, input.Style.Profile, random, options)
                : TypingPlanner.Direct(text, options.ExtraDelayMs);
            var playback = await PlayAsync(page, plan.Script, 0, cancellationToken);
            return new HumanizerOutcome
            {
                Seed = seed, Humanized = input.Style.Humanize, Playback = playback, PlannedMs = plan.Script.PlannedMs, Typing = plan,
            };
        }, cancellationToken);
    }

    public static async Task<HumanizerOutcome> ScrollAsync(IPage page, TargetInput input, double deltaX, double deltaY, int seed,
        CancellationToken cancellationToken)
    {
        var random = new HumanRandom(seed);
        return await WithGateAsync(input, async () =>
        {
            var plan = input.Style.Humanize
                ? ScrollPlanner.Plan(deltaX, deltaY, input.Style.Profile, random)
                : ScrollPlanner.Direct(deltaX, deltaY);
            // The wheel scrolls whatever is under the pointer, which stays where the last action left it.
            var playback = await PlayAsync(page, plan.Script, 0, cancellationToken);
            return new HumanizerOutcome
            {
                Seed = seed, Humanized = input.Style.Humanize, Playback = playback, PlannedMs = plan.Script.PlannedMs, ScrollSteps = plan.Steps,
            };
        }, cancellationToken);
    }

    public static async Task<HumanizerOutcome> IdleAsync(IPage page, TargetInput input, double durationMs, IdleIntensity intensity, int seed,
        CancellationToken cancellationToken)
    {
        var random = new HumanRandom(seed);
        return await WithGateAsync(input, async () =>
        {
            var viewport = page.ViewportSize;
            var plan = IdlePlanner.Plan(durationMs, intensity, input.Position, random, viewport?.Width - 1, viewport?.Height - 1);
            var playback = await PlayAsync(page, plan.Script, durationMs, cancellationToken);
            input.Position = plan.FinalPosition;
            return new HumanizerOutcome
            {
                Seed = seed, Humanized = true, Playback = playback, PlannedMs = durationMs, Idle = plan, Position = plan.FinalPosition,
            };
        }, cancellationToken);
    }

    private static Task<PlaybackResult> PlayAsync(IPage page, InputScript script, double minimumMs, CancellationToken cancellationToken) =>
        InputPlayer.PlayAsync(script, new PageInputDevice(page), InputClock.StartReal(), minimumMs, cancellationToken);

    private static async Task<T> WithGateAsync<T>(TargetInput input, Func<Task<T>> action, CancellationToken cancellationToken)
    {
        await input.Gate.WaitAsync(cancellationToken);
        try
        {
            return await action();
        }
        finally
        {
            input.Gate.Release();
        }
    }
}
