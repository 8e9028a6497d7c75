namespace ProxyMcp.Engine.Forwarding;

/// <summary>Base for the forward-only, read-only, async-only streams the forwarder wraps bodies in (and the server's stdin).</summary>
public abstract class ReadOnlyAsyncStream : ReadOnlyStream
{
    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Synchronous reads are not used.");
}
