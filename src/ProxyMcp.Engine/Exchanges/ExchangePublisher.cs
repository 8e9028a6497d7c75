using Microsoft.Extensions.Logging;

namespace ProxyMcp.Engine.Exchanges;

/// <summary>
/// Hands finished exchanges to subscribers on the thread pool, so building previews and running capture code never
/// delays the response that was just sent or the next request on the same connection.
/// </summary>
internal sealed class ExchangePublisher(Action<Exchange> deliver, ILogger logger)
{
    private readonly Action<Exchange> _deliver = deliver;
    private readonly ILogger _logger = logger;

    public void Publish<TState>(Func<TState, Exchange> build, TState state)
    {
        ThreadPool.UnsafeQueueUserWorkItem(static s =>
        {
            var (self, build, state) = s;
            try
            {
                self._deliver(build(state));
            }
            catch (Exception ex)
            {
                self._logger.LogError(ex, "Capturing an exchange failed");
            }
        }, (this, build, state), preferLocal: false);
    }
}
