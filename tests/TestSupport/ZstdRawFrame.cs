using System.Buffers.Binary;

namespace ProxyMcp.TestSupport;

/// <summary>
/// Wraps bytes in a valid Zstandard frame made of raw (stored) blocks (RFC 8878 §3.1.1).
/// The BCL has no zstd encoder and we add no packages; any conforming decoder reads this, which is all the tests need.
/// </summary>
internal static class ZstdRawFrame
{
    private const uint Magic = 0xFD2FB528;
    private const int MaxBlockSize = 128 * 1024;

    public static byte[] Wrap(ReadOnlySpan<byte> content)
    {
        var blockCount = Math.Max(1, (content.Length + MaxBlockSize - 1) / MaxBlockSize);
        var frame = new byte[4 + 1 + 4 + (blockCount * 3) + content.Length];
        var output = frame.AsSpan();

        BinaryPrimitives.WriteUInt32LittleEndian(output, Magic);
        // Descriptor: 4-byte Frame_Content_Size (flag 2), Single_Segment (so no window descriptor), no checksum, no dictionary.
        output[4] = (2 << 6) | (1 << 5);
        BinaryPrimitives.WriteUInt32LittleEndian(output[5..], (uint)content.Length);
        output = output[9..];

        for (var block = 0; block < blockCount; block++)
        {
            var size = Math.Min(MaxBlockSize, content.Length - (block * MaxBlockSize));
            var last = block == blockCount - 1 ? 1u : 0u;
            // Block header: bit 0 Last_Block, bits 1-2 Block_Type (0 = Raw), bits 3-23 Block_Size; little-endian, 3 bytes.
            var header = last | ((uint)size << 3);
            output[0] = (byte)header;
            output[1] = (byte)(header >> 8);
            output[2] = (byte)(header >> 16);
            content.Slice(block * MaxBlockSize, size).CopyTo(output[3..]);
            output = output[(3 + size)..];
        }

        return frame;
    }
}
