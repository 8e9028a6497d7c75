using System.Buffers;

namespace ProxyMcp.Engine.Tests.Tls;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/> values, as a PipeReader hands them out.</summary>
internal static class SegmentedSequence
{
    /// <summary>Cuts <paramref name="data"/> into segments of the given lengths (the last one takes the rest).</summary>
    public static ReadOnlySequence<byte> Create(byte[] data, params int[] lengths)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        var offset = 0;
        foreach (var length in lengths)
        {
            var take = Math.Min(length, data.Length - offset);
            pieces.Add(data.AsMemory(offset, take));
            offset += take;
        }

        if (offset < data.Length || pieces.Count == 0)
        {
            pieces.Add(data.AsMemory(offset));
        }

        return FromPieces(pieces);
    }

    /// <summary>Segments of random lengths between 1 and <paramref name="maxSegment"/>, some of them empty.</summary>
    public static ReadOnlySequence<byte> Random(byte[] data, Random random, int maxSegment)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        var offset = 0;
        while (offset < data.Length)
        {
            if (random.Next(10) == 0)
            {
                pieces.Add(ReadOnlyMemory<byte>.Empty);
            }

            var take = Math.Min(random.Next(1, maxSegment + 1), data.Length - offset);
            pieces.Add(data.AsMemory(offset, take));
            offset += take;
        }

        if (pieces.Count == 0)
        {
            pieces.Add(ReadOnlyMemory<byte>.Empty);
        }

        return FromPieces(pieces);
    }

    private static ReadOnlySequence<byte> FromPieces(List<ReadOnlyMemory<byte>> pieces)
    {
        var first = new Segment(pieces[0], 0);
        var last = first;
        for (var i = 1; i < pieces.Count; i++)
        {
            last = last.Append(pieces[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
