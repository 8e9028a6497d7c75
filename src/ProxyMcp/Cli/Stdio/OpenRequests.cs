namespace ProxyMcp.Cli.Stdio;

/// <summary>
/// The client's requests the server has read and not yet answered. A request opens its id; the server's response,
/// or the client's notifications/cancelled (after which no response comes), closes it.
/// </summary>
internal sealed class OpenRequests
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _open = [];
    private TaskCompletionSource? _noneOpen;

    public int Count
    {
        get
        {
            lock (_lock) return _open.Count;
        }
    }

    /// <summary>A line read from the client.</summary>
    public void Read(ReadOnlySpan<byte> line)
    {
        var message = JsonRpcEnvelope.Parse(line);
        if (message.IsRequest) Open(message.Id!);
        else if (message.CancelledId is { } cancelled) Close(cancelled);
    }

    /// <summary>The answer to request <paramref name="id"/> has reached the client.</summary>
    public void Answered(string id) => Close(id);

    /// <summary>Completes once no request is open.</summary>
    public Task WhenNoneOpenAsync()
    {
        lock (_lock)
        {
            if (_open.Count == 0) return Task.CompletedTask;
            _noneOpen ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _noneOpen.Task;
        }
    }

    private void Open(string id)
    {
        lock (_lock) _open.Add(id);
    }

    private void Close(string id)
    {
        TaskCompletionSource? noneOpen = null;
        lock (_lock)
        {
            if (_open.Remove(id) && _open.Count == 0)
            {
                noneOpen = _noneOpen;
                _noneOpen = null;
            }
        }
        noneOpen?.TrySetResult();
    }
}
