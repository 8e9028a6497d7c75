namespace ProxyMcp.TestSupport;

/// <summary>The deterministic body of <c>/bytes</c>: byte i is <c>(byte)(i % 251)</c>; 251 is prime so chunk boundaries never line up with it.</summary>
public static class BytePattern
{
    public const int Period = 251;

    // One pre-filled tile covers any chunk up to TileSpan bytes at any phase, so filling and checking are memcpy/memcmp.
    private const int TileSpan = 64 * 1024;
    private static readonly byte[] Tile = CreateTile();

    /// <summary>The pattern byte at absolute <paramref name="position"/>.</summary>
    public static byte At(long position) => (byte)(position % Period);

    /// <summary>Fills <paramref name="destination"/> with the pattern starting at absolute <paramref name="position"/>.</summary>
    public static void Fill(Span<byte> destination, long position)
    {
        while (!destination.IsEmpty)
        {
            var count = Math.Min(destination.Length, TileSpan);
            Tile.AsSpan((int)(position % Period), count).CopyTo(destination);
            destination = destination[count..];
            position += count;
        }
    }

    /// <summary>Index within <paramref name="data"/> of the first byte that breaks the pattern (data starts at <paramref name="position"/>), or -1.</summary>
    public static int FirstMismatch(ReadOnlySpan<byte> data, long position)
    {
        var checkedSoFar = 0;
        while (checkedSoFar < data.Length)
        {
            var count = Math.Min(data.Length - checkedSoFar, TileSpan);
            var expected = Tile.AsSpan((int)((position + checkedSoFar) % Period), count);
            var actual = data.Slice(checkedSoFar, count);
            var diff = actual.CommonPrefixLength(expected);
            if (diff < count)
                return checkedSoFar + diff;
            checkedSoFar += count;
        }

        return -1;
    }

    /// <summary>Reads <paramref name="source"/> to the end, checking every byte; returns the byte count or throws <see cref="InvalidDataException"/> at the first wrong byte.</summary>
    public static async Task<long> VerifyStreamAsync(Stream source, CancellationToken cancellationToken = default)
    {
        var verifier = new BytePatternVerifier();
        var buffer = new byte[TileSpan];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            verifier.Append(buffer.AsSpan(0, read));
        return verifier.Position;
    }

    private static byte[] CreateTile()
    {
        var tile = new byte[TileSpan + Period];
        for (var i = 0; i < tile.Length; i++)
            tile[i] = At(i);
        return tile;
    }
}
