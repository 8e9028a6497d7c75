using System.Diagnostics;

namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>The time base scripts are played against: real time, or a virtual clock in tests.</summary>
public abstract class InputClock
{
    /// <summary>Milliseconds since the clock was created.</summary>
    public abstract double ElapsedMs { get; }

    public abstract Task DelayAsync(double milliseconds, CancellationToken cancellationToken);

    public static InputClock StartReal() => new RealClock();

    private sealed class RealClock : InputClock
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();

        public override double ElapsedMs => _watch.Elapsed.TotalMilliseconds;

        public override Task DelayAsync(double milliseconds, CancellationToken cancellationToken) =>
            milliseconds <= 0 ? Task.CompletedTask : Task.Delay(TimeSpan.FromMilliseconds(milliseconds), cancellationToken);
    }
}
