namespace ProxyMcp.Cli.Stdio;

/// <summary>
/// Standard output for the MCP SDK's stream transport: passes every byte through and, once a flush has pushed an
/// answer out, tells <see cref="OpenRequests"/> which request it answered (so end of input is not reported while an
/// answer still sits in a buffer).
/// </summary>
internal sealed class AnsweringStdout : Stream
{
    private readonly Stream _inner;
    private readonly OpenRequests _requests;
    private readonly LineTap _tap;
    private readonly List<string> _answeredNotFlushed = [];

    /// <param name="inner">Where the bytes go (the SDK's stdio transport buffers stdout; so can the caller).</param>
    public AnsweringStdout(Stream inner, OpenRequests requests)
    {
        _inner = inner;
        _requests = requests;
        _tap = new LineTap(Observe);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        _tap.Feed(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _inner.Write(buffer);
        _tap.Feed(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        ReportFlushedAnswers();
    }

    public override void Flush()
    {
        _inner.Flush();
        ReportFlushedAnswers();
    }

    // The SDK writes and flushes one message at a time under its own lock, so these need no lock of their own.
    private void Observe(ReadOnlySpan<byte> line)
    {
        if (JsonRpcEnvelope.Parse(line) is { IsAnswer: true, Id: { } id }) _answeredNotFlushed.Add(id);
    }

    private void ReportFlushedAnswers()
    {
        foreach (var id in _answeredNotFlushed) _requests.Answered(id);
        _answeredNotFlushed.Clear();
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}
