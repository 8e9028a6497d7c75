namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>What playing a script took.</summary>
/// <param name="TotalMs">Wall time from the start to the last event (or the minimum duration).</param>
/// <param name="EventsDispatched">Input events sent to the device.</param>
/// <param name="MovesSkipped">Intermediate pointer positions dropped because the device fell behind the plan.</param>
public sealed record PlaybackResult(double TotalMs, int EventsDispatched, int MovesSkipped = 0);

/// <summary>
/// Plays a script: each event is sent when it is due relative to the start, so delays do not accumulate the device's own
/// latency (a move takes a round trip to the browser). When the device is slower than the plan, an intermediate pointer
/// position whose successor is already due is dropped, as a pointer sampled less often would: the path keeps its shape and
/// its timing. Presses, keys and wheel steps are never dropped, and neither is a movement's last point.
/// </summary>
public static class InputPlayer
{
    /// <param name="minimumMs">Keep going until this much time has passed even after the last event (idle periods).</param>
    public static async Task<PlaybackResult> PlayAsync(InputScript script, IInputDevice device, InputClock clock,
        double minimumMs = 0, CancellationToken cancellationToken = default)
    {
        var start = clock.ElapsedMs;
        int dispatched = 0, skipped = 0;
        var actions = script.Actions;
        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            var wait = action.AtMs - (clock.ElapsedMs - start);
            if (wait >= 1) await clock.DelayAsync(wait, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (action.Kind == InputActionKind.Move && i + 1 < actions.Count && actions[i + 1].Kind == InputActionKind.Move
                && actions[i + 1].AtMs <= clock.ElapsedMs - start)
            {
                skipped++;
                continue;
            }
            await DispatchAsync(action, device, cancellationToken);
            dispatched++;
        }
        var rest = minimumMs - (clock.ElapsedMs - start);
        if (rest >= 1) await clock.DelayAsync(rest, cancellationToken);
        return new PlaybackResult(Math.Round(clock.ElapsedMs - start), dispatched, skipped);
    }

    private static Task DispatchAsync(InputAction action, IInputDevice device, CancellationToken cancellationToken) => action.Kind switch
    {
        InputActionKind.Move => device.MoveAsync(action.X, action.Y, cancellationToken),
        InputActionKind.Down => device.DownAsync(action.Button, action.ClickCount, cancellationToken),
        InputActionKind.Up => device.UpAsync(action.Button, action.ClickCount, cancellationToken),
        InputActionKind.Type => device.TypeAsync(action.Key ?? "", cancellationToken),
        InputActionKind.Press => device.PressAsync(action.Key ?? "", cancellationToken),
        InputActionKind.Wheel => device.WheelAsync(action.X, action.Y, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action.Kind, "unknown input action"),
    };
}
