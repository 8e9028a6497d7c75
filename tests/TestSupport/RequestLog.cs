using System.Collections.Concurrent;

namespace ProxyMcp.TestSupport;

/// <summary>Thread-safe record of received requests that tests can wait on.</summary>
internal sealed class RequestLog
{
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private TaskCompletionSource _changed = NewSignal();

    public IReadOnlyList<ReceivedRequest> Snapshot() => [.. _requests];

    public void Add(ReceivedRequest request)
    {
        _requests.Enqueue(request);
        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
    }

    public void Clear() => _requests.Clear();

    public async Task<ReceivedRequest> WaitForAsync(Func<ReceivedRequest, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            // Take the signal before scanning so a request added during the scan still wakes us.
            var changed = Volatile.Read(ref _changed);
            if (_requests.FirstOrDefault(predicate) is { } match)
                return match;

            try
            {
                await changed.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                var seen = string.Join(", ", _requests.Select(r => $"{r.Method} {r.PathAndQuery} -> {r.StatusCode}"));
                throw new TimeoutException($"No matching request reached the origin within {timeout}. Seen: [{seen}]");
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
