using ProxyMcp.Engine.Forwarding;

namespace ProxyMcp.Cli.Stdio;

/// <summary>
/// Standard input for the MCP SDK's stream transport that holds back end-of-input until every request read so far
/// has been answered. The SDK ends the session as soon as its input ends and cancels what is still running, so a
/// client that writes its requests and closes stdin (<c>printf '…' | proxy-mcp</c>, the MCP spec's way to ask a stdio
/// server to exit) got no answers at all. Bytes pass through unchanged.
/// </summary>
internal sealed class AnsweringStdin(Stream inner, OpenRequests requests, TimeSpan maxWait) : ReadOnlyAsyncStream
{
    private readonly LineTap _tap = new(requests.Read);
    private bool _ended;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        if (!_ended)
        {
            // Console streams ignore cancellation tokens: without WaitAsync a shutdown would wait for the next byte.
            var read = await inner.ReadAsync(buffer, cancellationToken).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (read > 0)
            {
                _tap.Feed(buffer.Span[..read]);
                return read;
            }
            _ended = true;
            if (_tap.HasPartialLine)
            {
                // The SDK reads lines: end the unterminated last one so it is handled before we wait for its answer.
                _tap.Finish();
                buffer.Span[0] = (byte)'\n';
                return 1;
            }
        }
        try
        {
            await requests.WhenNoneOpenAsync().WaitAsync(maxWait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await Console.Error.WriteLineAsync(
                $"proxy-mcp: stdin closed; {requests.Count} request(s) still running after {maxWait.TotalSeconds:0} s are abandoned.").ConfigureAwait(false);
        }
        return 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
