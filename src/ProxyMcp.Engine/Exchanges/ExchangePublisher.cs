using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ProxyMcp.Engine.Exchanges;

/// <summary>
/// Hands finished exchanges to subscribers from one background thread, so building previews and running capture code
/// never delays the response that was just sent or the next request on the same connection.
/// </summary>
/// <remarks>
/// Publishing is lock-free (a concurrent queue and a counter). The consumer works in batches: once woken it waits a
/// moment for more exchanges to arrive and then delivers all of them, so under load it wakes about once a millisecond
/// instead of once per request (each wake-up is a context switch on the cores the proxy needs). Bounded: if the
/// consumer falls far behind, exchanges are counted as dropped rather than slowing the proxy.
/// </remarks>
internal sealed class ExchangePublisher
{
    private const int Capacity = 100_000;

    /// <summary>How long a woken consumer lets a batch gather; also the most capture lags behind a quiet proxy.</summary>
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(1);

    private static readonly TimeSpan IdleCheck = TimeSpan.FromMilliseconds(250);

    private readonly Action<Exchange> _deliver;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<IPending> _queue = new();
    // No spinning: the consumer is not latency-critical, and a spinning wait takes CPU from the forwarding path.
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 0);
    private int _queued;
    private int _parked;
    private volatile bool _completed;
    private long _dropped;

    public ExchangePublisher(Action<Exchange> deliver, ILogger logger)
    {
        _deliver = deliver;
        _logger = logger;
        new Thread(Consume) { IsBackground = true, Name = "ProxyMcp capture" }.Start();
    }

    /// <summary>Exchanges not captured because the consumer could not keep up.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Publish<TState>(Func<TState, Exchange> build, TState state)
    {
        if (_completed) return;
        if (Interlocked.Increment(ref _queued) > Capacity)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return;
        }
        _queue.Enqueue(new Pending<TState>(build, state));
        // Only the publisher that finds the consumer parked pays for waking it. An interlocked exchange (a full fence),
        // not a plain read: the read could otherwise pass the enqueue and miss a consumer that is just parking.
        if (Interlocked.Exchange(ref _parked, 0) == 1) _wake.Set();
    }

    /// <summary>Lets queued exchanges drain and stops the consumer.</summary>
    public void Complete()
    {
        _completed = true;
        Interlocked.Exchange(ref _parked, 0);
        _wake.Set();
    }

    private void Consume()
    {
        while (true)
        {
            while (_queue.TryDequeue(out var pending))
            {
                Interlocked.Decrement(ref _queued);
                Deliver(pending);
            }
            if (_completed && _queue.IsEmpty) return;

            Interlocked.Exchange(ref _parked, 1);
            // Re-check after parking: an exchange queued just before the flag was visible would otherwise wait for the next one.
            if (!_queue.IsEmpty && Interlocked.Exchange(ref _parked, 0) == 1) continue;
            if (_completed) continue;
            // The timeout only bounds how late a capture could be if a wake-up were ever missed; it costs nothing measurable.
            _wake.Wait(IdleCheck);
            _wake.Reset();
            if (!_completed) Thread.Sleep(BatchWindow);
        }
    }

    private void Deliver(IPending pending)
    {
        try
        {
            _deliver(pending.Build());
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Capturing an exchange failed");
        }
    }

    private interface IPending
    {
        Exchange Build();
    }

    private sealed record Pending<TState>(Func<TState, Exchange> Factory, TState State) : IPending
    {
        public Exchange Build() => Factory(State);
    }
}
