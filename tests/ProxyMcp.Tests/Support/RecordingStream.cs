namespace ProxyMcp.Tests.Support;

/// <summary>A read-only pass-through stream that keeps a copy of every byte read (to inspect a process's stdout).</summary>
public sealed class RecordingStream(Stream inner) : Engine.Forwarding.ReadOnlyStream
{
    private readonly MemoryStream _copy = new();
    private readonly Lock _lock = new();

    public byte[] Recorded()
    {
        lock (_lock) return _copy.ToArray();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        lock (_lock) _copy.Write(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        lock (_lock) _copy.Write(buffer, offset, read);
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
