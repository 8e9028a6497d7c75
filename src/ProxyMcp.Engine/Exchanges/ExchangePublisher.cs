using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ProxyMcp.Engine.Exchanges;

/// <summary>
/// Hands finished exchanges to subscribers from one background consumer, so building previews and running capture code
/// never delays the response that was just sent or the next request on the same connection. Bounded: if the consumer
/// falls far behind, exchanges are counted as dropped rather than slowing the proxy.
/// </summary>
internal sealed class ExchangePublisher
{
    private const int Capacity = 100_000;
    private readonly Action<Exchange> _deliver;
    private readonly ILogger _logger;
    private readonly Channel<IPending> _queue = Channel.CreateBounded<IPending>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    private long _dropped;

    public ExchangePublisher(Action<Exchange> deliver, ILogger logger)
    {
        _deliver = deliver;
        _logger = logger;
        _ = Task.Run(ConsumeAsync);
    }

    /// <summary>Exchanges not captured because the consumer could not keep up.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Publish<TState>(Func<TState, Exchange> build, TState state)
    {
        if (!_queue.Writer.TryWrite(new Pending<TState>(build, state))) Interlocked.Increment(ref _dropped);
    }

    /// <summary>Lets queued exchanges drain and stops the consumer.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    private async Task ConsumeAsync()
    {
        await foreach (var pending in _queue.Reader.ReadAllAsync())
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
