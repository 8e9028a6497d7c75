using System.Buffers;
using ProxyMcp.Engine.Tls.Fingerprints;

namespace ProxyMcp.Engine.Tls;

/// <summary>
/// Wraps a fresh connection to an origin and watches the first bytes the server sends until its ServerHello is parsed
/// (then reports it once) or the bytes turn out not to be one; after that it only passes data through.
/// </summary>
internal sealed class ServerHelloTap(Stream inner, Action<ServerHello> observed) : Stream
{
    private byte[]? _seen = ArrayPool<byte>.Shared.Rent(4096);
    private int _length;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        if (_seen is not null) Observe(buffer.Span[..read]);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        if (_seen is not null) Observe(buffer.AsSpan(offset, read));
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Observe(ReadOnlySpan<byte> chunk)
    {
        // SslStream issues zero-byte reads to wait for data: an empty chunk is not the end of the stream.
        if (chunk.IsEmpty) return;
        if (_length + chunk.Length > _seen!.Length)
        {
            if (_length + chunk.Length > ClientHelloParser.MaxInputLength)
            {
                Stop();
                return;
            }
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_seen.Length * 2, _length + chunk.Length));
            _seen.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_seen);
            _seen = larger;
        }
        chunk.CopyTo(_seen.AsSpan(_length));
        _length += chunk.Length;
        var result = ServerHelloParser.Parse(_seen.AsSpan(0, _length));
        if (result.Status == HelloParseStatus.NeedMoreData) return;
        // A HelloRetryRequest names the same version and cipher as the ServerHello that follows it; it stands in for it.
        if (result.IsComplete) observed(result.Hello);
        Stop();
    }

    private void Stop()
    {
        if (_seen is null) return;
        ArrayPool<byte>.Shared.Return(_seen);
        _seen = null;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Stop();
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        Stop();
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
