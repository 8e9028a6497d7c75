using System.Buffers.Binary;

namespace ProxyMcp.Engine.Tls.Fingerprints;

/// <summary>Bounds-checked big-endian reader over a span; every read reports failure instead of throwing.</summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public WireReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public bool TryReadUInt8(out byte value)
    {
        if (Remaining < 1)
        {
            value = 0;
            return false;
        }

        value = _data[_position++];
        return true;
    }

    public bool TryReadUInt16(out ushort value)
    {
        if (Remaining < 2)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(_position, 2));
        _position += 2;
        return true;
    }

    public bool TrySkip(int count)
    {
        if (count < 0 || Remaining < count)
        {
            return false;
        }

        _position += count;
        return true;
    }

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> value)
    {
        if (count < 0 || Remaining < count)
        {
            value = default;
            return false;
        }

        value = _data.Slice(_position, count);
        _position += count;
        return true;
    }

    /// <summary>Reads a TLS vector with a one-byte length prefix.</summary>
    public bool TryReadVector8(out ReadOnlySpan<byte> value)
    {
        value = default;
        return TryReadUInt8(out var length) && TryReadBytes(length, out value);
    }

    /// <summary>Reads a TLS vector with a two-byte length prefix.</summary>
    public bool TryReadVector16(out ReadOnlySpan<byte> value)
    {
        value = default;
        return TryReadUInt16(out var length) && TryReadBytes(length, out value);
    }

    /// <summary>Decodes a whole span of big-endian 16-bit values; false when its length is odd.</summary>
    public static bool TryReadUInt16List(ReadOnlySpan<byte> data, out ushort[] values)
    {
        if ((data.Length & 1) != 0)
        {
            values = [];
            return false;
        }

        values = data.Length == 0 ? [] : new ushort[data.Length / 2];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i * 2, 2));
        }

        return true;
    }

    /// <summary>Number of well-formed extensions filling the block exactly, or -1.</summary>
    public static int CountExtensions(ReadOnlySpan<byte> block)
    {
        var reader = new WireReader(block);
        var count = 0;
        while (reader.Remaining > 0)
        {
            if (!reader.TrySkip(2) || !reader.TryReadVector16(out _))
            {
                return -1;
            }

            count++;
        }

        return count;
    }
}
