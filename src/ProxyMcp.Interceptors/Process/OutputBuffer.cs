namespace ProxyMcp.Interceptors.Process;

/// <summary>
/// The last <see cref="Capacity"/> characters of one output stream of a spawned process, plus how much was written in all.
/// Storage grows with the output up to the capacity, so a quiet process costs almost nothing. Thread-safe.
/// </summary>
internal sealed class OutputBuffer(int capacity = OutputBuffer.DefaultCapacity)
{
    /// <summary>64 Ki characters kept per stream.</summary>
    public const int DefaultCapacity = 64 * 1024;

    private readonly Lock _lock = new();
    private char[] _ring = [];
    // Index of the next write in _ring; meaningful once the ring is full.
    private int _next;
    private int _count;
    private long _total;

    public int Capacity { get; } = capacity;

    /// <summary>Characters written since the start, kept or not.</summary>
    public long TotalWritten
    {
        get
        {
            lock (_lock) return _total;
        }
    }

    public void Append(ReadOnlySpan<char> text)
    {
        lock (_lock)
        {
            _total += text.Length;
            if (text.Length >= Capacity)
            {
                EnsureStorage(Capacity);
                text[^Capacity..].CopyTo(_ring);
                _next = 0;
                _count = Capacity;
                return;
            }
            EnsureStorage(Math.Min(Capacity, _count + text.Length));
            foreach (var c in text)
            {
                _ring[_next] = c;
                _next = (_next + 1) % _ring.Length;
                if (_count < _ring.Length) _count++;
            }
        }
    }

    /// <summary>The last <paramref name="maxChars"/> characters kept (all kept characters when fewer).</summary>
    public string Tail(int maxChars)
    {
        lock (_lock)
        {
            var length = Math.Min(maxChars, _count);
            if (length <= 0) return "";
            // The oldest kept character sits at _next once the ring wrapped, else at 0.
            var start = (_next - length + _ring.Length) % _ring.Length;
            if (_count < _ring.Length) start = _count - length;
            var result = new char[length];
            var first = Math.Min(length, _ring.Length - start);
            Array.Copy(_ring, start, result, 0, first);
            Array.Copy(_ring, 0, result, first, length - first);
            return new string(result);
        }
    }

    private void EnsureStorage(int needed)
    {
        if (_ring.Length >= needed) return;
        // Until the ring is at full capacity it has never wrapped, so the kept text is _ring[0.._count).
        var size = Math.Min(Capacity, Math.Max(needed, Math.Max(256, _ring.Length * 2)));
        var grown = new char[size];
        Array.Copy(_ring, grown, _count);
        _ring = grown;
        _next = _count % size;
    }
}
