namespace ProxyMcp.Engine.Forwarding;

/// <summary>The client's request body as the upstream request reads it, observed by a tap on the way through.</summary>
internal sealed class TappedRequestBody(Stream inner, BodyTap tap) : ReadOnlyAsyncStream
{
    /// <summary>Set when reading from the client failed, so the failure is blamed on the client, not the origin.</summary>
    public Exception? ClientFailure { get; private set; }

    /// <summary>Milliseconds timestamp (Stopwatch) when the body ended.</summary>
    public long? CompletedAt { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception ex)
        {
            ClientFailure = ex;
            throw;
        }
        if (read == 0) CompletedAt ??= System.Diagnostics.Stopwatch.GetTimestamp();
        tap.Observe(buffer.Span[..read]);
        return read;
    }
}
