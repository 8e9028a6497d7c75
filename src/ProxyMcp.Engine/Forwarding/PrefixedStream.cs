namespace ProxyMcp.Engine.Forwarding;

/// <summary>Replays bytes already read from a stream, then continues with the rest of it.</summary>
internal sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : ReadOnlyAsyncStream
{
    private ReadOnlyMemory<byte> _prefix = prefix;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_prefix.IsEmpty) return await rest.ReadAsync(buffer, cancellationToken);
        var take = Math.Min(buffer.Length, _prefix.Length);
        _prefix[..take].CopyTo(buffer);
        _prefix = _prefix[take..];
        return take;
    }
}
