using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace ProxyMcp.Engine.Tls.Fingerprints;

/// <summary>Pooled ASCII text buffer for building fingerprint strings, plus the hashes the fingerprints use.</summary>
internal ref struct FingerprintText
{
    private char[] _buffer;
    private int _length;

    public FingerprintText(int capacity)
    {
        _buffer = ArrayPool<char>.Shared.Rent(capacity);
        _length = 0;
    }

    public readonly ReadOnlySpan<char> Text => _buffer.AsSpan(0, _length);

    public readonly bool IsEmpty => _length == 0;

    public void Append(char value)
    {
        Reserve(1)[0] = value;
        _length++;
    }

    public void Append(scoped ReadOnlySpan<char> value)
    {
        value.CopyTo(Reserve(value.Length));
        _length += value.Length;
    }

    public void AppendDecimal(int value)
    {
        value.TryFormat(Reserve(11), out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        _length += written;
    }

    /// <summary>Four lower-case hex digits, the form JA4 uses for every 16-bit value.</summary>
    public void AppendHex4(ushort value)
    {
        var span = Reserve(4);
        span[0] = HexDigit(value >> 12);
        span[1] = HexDigit(value >> 8);
        span[2] = HexDigit(value >> 4);
        span[3] = HexDigit(value);
        _length += 4;
    }

    /// <summary>Decimal values joined by <c>-</c>, GREASE values skipped when asked (JA3 lists).</summary>
    public void AppendDecimalList(scoped ReadOnlySpan<ushort> values, bool skipGrease)
    {
        var first = true;
        foreach (var value in values)
        {
            if (skipGrease && ClientHello.IsGrease(value))
            {
                continue;
            }

            if (!first)
            {
                Append('-');
            }

            AppendDecimal(value);
            first = false;
        }
    }

    /// <summary>Four-digit hex values joined by <c>,</c> (JA4 lists); callers filter GREASE beforehand.</summary>
    public void AppendHexList(scoped ReadOnlySpan<ushort> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                Append(',');
            }

            AppendHex4(values[i]);
        }
    }

    public void Clear() => _length = 0;

    public override readonly string ToString() => new(Text);

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    public static char HexDigit(int value) => "0123456789abcdef"[value & 0xF];

    /// <summary>Lower-case hex MD5 of ASCII text (JA3, JA3S).</summary>
    public static string Md5Hex(ReadOnlySpan<char> ascii)
    {
        Span<byte> hash = stackalloc byte[MD5.HashSizeInBytes];
        WithAsciiBytes(ascii, hash, static (bytes, destination) => MD5.HashData(bytes, destination));
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>First 12 lower-case hex digits of the SHA-256 of ASCII text (JA4 parts b and c).</summary>
    public static void Sha256Hex12(ReadOnlySpan<char> ascii, Span<char> destination)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        WithAsciiBytes(ascii, hash, static (bytes, destination) => SHA256.HashData(bytes, destination));
        Convert.TryToHexStringLower(hash[..6], destination, out _);
    }

    private delegate int HashFunction(ReadOnlySpan<byte> source, Span<byte> destination);

    private static void WithAsciiBytes(ReadOnlySpan<char> ascii, Span<byte> hash, HashFunction function)
    {
        byte[]? rented = null;
        Span<byte> bytes = ascii.Length <= 512 ? stackalloc byte[ascii.Length] : (rented = ArrayPool<byte>.Shared.Rent(ascii.Length));
        try
        {
            var count = Encoding.ASCII.GetBytes(ascii, bytes);
            function(bytes[..count], hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private Span<char> Reserve(int count)
    {
        if (_buffer.Length - _length < count)
        {
            var larger = ArrayPool<char>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
            Text.CopyTo(larger);
            if (_buffer.Length > 0)
            {
                ArrayPool<char>.Shared.Return(_buffer);
            }

            _buffer = larger;
        }

        return _buffer.AsSpan(_length);
    }
}
