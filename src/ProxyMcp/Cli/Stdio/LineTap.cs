using System.Buffers;

namespace ProxyMcp.Cli.Stdio;

/// <summary>Splits bytes flowing past into newline-delimited lines (without the newline) for an observer.</summary>
internal sealed class LineTap(LineTap.LineObserver observer)
{
    public delegate void LineObserver(ReadOnlySpan<byte> line);

    /// <summary>A line longer than this keeps its buffer only until the line ends.</summary>
    private const int KeptBufferBytes = 1024 * 1024;

    private ArrayBufferWriter<byte> _partial = new();

    public bool HasPartialLine => _partial.WrittenCount > 0;

    public void Feed(ReadOnlySpan<byte> data)
    {
        while (data.IndexOf((byte)'\n') is var newline and >= 0)
        {
            if (_partial.WrittenCount == 0)
            {
                observer(data[..newline]);
            }
            else
            {
                _partial.Write(data[..newline]);
                EndPartialLine();
            }
            data = data[(newline + 1)..];
        }
        _partial.Write(data);
    }

    /// <summary>End of stream: what is left is the last line.</summary>
    public void Finish()
    {
        if (HasPartialLine) EndPartialLine();
    }

    private void EndPartialLine()
    {
        observer(_partial.WrittenSpan);
        if (_partial.Capacity > KeptBufferBytes) _partial = new ArrayBufferWriter<byte>();
        else _partial.ResetWrittenCount();
    }
}
