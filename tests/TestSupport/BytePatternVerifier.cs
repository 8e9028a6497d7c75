namespace ProxyMcp.TestSupport;

/// <summary>Checks a pattern body chunk by chunk as it streams in, so huge downloads are verified with flat memory.</summary>
public sealed class BytePatternVerifier
{
    /// <summary>Bytes verified so far (the absolute position of the next expected byte).</summary>
    public long Position { get; private set; }

    /// <summary>Verifies the next chunk; throws <see cref="InvalidDataException"/> naming the absolute offset of the first wrong byte.</summary>
    public void Append(ReadOnlySpan<byte> chunk)
    {
        var mismatch = BytePattern.FirstMismatch(chunk, Position);
        if (mismatch >= 0)
        {
            var offset = Position + mismatch;
            throw new InvalidDataException(
                $"Pattern broken at byte {offset}: expected 0x{BytePattern.At(offset):X2}, got 0x{chunk[mismatch]:X2}.");
        }

        Position += chunk.Length;
    }
}
