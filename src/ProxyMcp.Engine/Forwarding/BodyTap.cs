using System.Buffers;

namespace ProxyMcp.Engine.Forwarding;

/// <summary>
/// Keeps the first bytes of a body for the capture preview and counts the rest. Bounded: the forwarding path pays one
/// small copy for the prefix and an addition per chunk after that.
/// </summary>
internal sealed class BodyTap(int capacity) : IDisposable
{
    private byte[]? _buffer;
    private int _kept;

    /// <summary>Bytes seen in all.</summary>
    public long Total { get; private set; }

    public ReadOnlySpan<byte> Prefix => _buffer is null ? default : _buffer.AsSpan(0, _kept);

    /// <summary>True when every byte seen is in <see cref="Prefix"/>.</summary>
    public bool IsComplete => Total == _kept;

    /// <summary>Receives every byte too, when complete bodies are being captured.</summary>
    public BodySpool? Spool { get; set; }

    public void Observe(ReadOnlySpan<byte> chunk)
    {
        Total += chunk.Length;
        Spool?.Write(chunk);
        var room = capacity - _kept;
        if (room <= 0 || chunk.IsEmpty) return;
        _buffer ??= ArrayPool<byte>.Shared.Rent(capacity);
        var take = Math.Min(room, chunk.Length);
        chunk[..take].CopyTo(_buffer.AsSpan(_kept));
        _kept += take;
    }

    public void Dispose()
    {
        Spool?.Dispose();
        Spool = null;
        if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _kept = 0;
    }
}
