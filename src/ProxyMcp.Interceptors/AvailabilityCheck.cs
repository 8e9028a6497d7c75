namespace ProxyMcp.Interceptors;

/// <summary>
/// Caches an availability probe for a short time. proxy-mcp cached it for the process lifetime (weakness 32), so tooling
/// installed after start was never noticed; here the answer is re-checked once it is older than the time-to-live.
/// Concurrent callers share one probe.
/// </summary>
internal sealed class AvailabilityCheck(Func<CancellationToken, Task<bool>> probe, TimeSpan timeToLive, TimeProvider time)
{
    private readonly Lock _lock = new();
    private Task<bool>? _current;
    private DateTimeOffset _checkedAt;

    public Task<bool> GetAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_current is null || (_current.IsCompleted && now - _checkedAt >= timeToLive))
            {
                _checkedAt = now;
                // The probe is shared, so it must not die with the first caller's token.
                _current = RunAsync();
            }
            return _current.WaitAsync(cancellationToken);
        }
    }

    private async Task<bool> RunAsync()
    {
        try
        {
            return await probe(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            return false;
        }
    }
}
