namespace ProxyMcp.Engine.Forwarding;

/// <summary>The client's request body as the upstream request reads it, observed by a tap on the way through.</summary>
internal sealed class TappedRequestBody(Stream inner, BodyTap tap) : Stream
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

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Synchronous reads are not used.");

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
