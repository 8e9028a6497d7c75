using System.Text;
using ProxyMcp.Capture.Sessions;
using SQLitePCL;

namespace ProxyMcp.Capture.Har;

/// <summary>
/// Rows of a SQLite statement copied as SQLite holds them: numbers as numbers, text and blobs as bytes appended to one
/// arena. The export's single reading thread only steps and copies; turning bytes into strings happens later, on the
/// threads that format the entries (it was half of the reading thread's time, and that thread bounded the export).
/// </summary>
internal sealed class CopiedRows(int columns)
{
    private const int ShrinkAboveBytes = 32 * 1024 * 1024;

    private Cell[] _cells = new Cell[columns * 64];
    private byte[] _arena = new byte[256 * 1024];
    private int _arenaLength;

    public int Count { get; private set; }

    /// <summary>Bytes of blob columns copied since the last <see cref="Clear"/> (bounds a batch's inline bodies).</summary>
    public long BlobBytes { get; private set; }

    /// <summary>Copies the current row of a statement (its raw pointer, see <see cref="NativeColumns.Run"/>); returns its index.</summary>
    public int Append(nint statement)
    {
        var row = Count;
        var start = row * columns;
        if (start + columns > _cells.Length) Array.Resize(ref _cells, _cells.Length * 2);
        for (var column = 0; column < columns; column++)
        {
            ref var cell = ref _cells[start + column];
            cell.Type = NativeColumns.Type(statement, column);
            switch (cell.Type)
            {
                case raw.SQLITE_INTEGER:
                    cell.Integer = NativeColumns.Int64(statement, column);
                    break;
                case raw.SQLITE_FLOAT:
                    cell.Real = NativeColumns.Double(statement, column);
                    break;
                case raw.SQLITE_TEXT:
                case raw.SQLITE_BLOB:
                    var bytes = NativeColumns.Blob(statement, column);
                    cell.Offset = Copy(bytes);
                    cell.Length = bytes.Length;
                    if (cell.Type == raw.SQLITE_BLOB) BlobBytes += bytes.Length;
                    break;
            }
        }
        Count = row + 1;
        return row;
    }

    /// <summary>Forgets the last row (it was handled on its own).</summary>
    public void RemoveLast()
    {
        var start = (Count - 1) * columns;
        for (var column = 0; column < columns; column++)
        {
            ref readonly var cell = ref _cells[start + column];
            if (cell.Type is raw.SQLITE_TEXT or raw.SQLITE_BLOB)
            {
                _arenaLength = Math.Min(_arenaLength, cell.Offset);
                if (cell.Type == raw.SQLITE_BLOB) BlobBytes -= cell.Length;
            }
        }
        Count--;
    }

    public void Clear()
    {
        Count = 0;
        BlobBytes = 0;
        _arenaLength = 0;
        // An arena that once held many big bodies is not kept for every later batch.
        if (_arena.Length > ShrinkAboveBytes) _arena = new byte[256 * 1024];
    }

    public Row this[int row] => new(this, row * columns);

    private int Copy(ReadOnlySpan<byte> bytes)
    {
        if (_arenaLength + bytes.Length > _arena.Length)
            Array.Resize(ref _arena, (int)Math.Min(Array.MaxLength, Math.Max((long)_arena.Length * 2, (long)_arenaLength + bytes.Length)));
        var offset = _arenaLength;
        bytes.CopyTo(_arena.AsSpan(offset));
        _arenaLength += bytes.Length;
        return offset;
    }

    private struct Cell
    {
        public int Type;
        public long Integer;
        public double Real;
        public int Offset;
        public int Length;
    }

    /// <summary>One copied row, read the way a data reader would read it.</summary>
    public readonly struct Row(CopiedRows rows, int start) : IStoredRow
    {
        private ref readonly Cell At(int ordinal) => ref rows._cells[start + ordinal];

        public bool IsDBNull(int ordinal) => At(ordinal).Type == raw.SQLITE_NULL;

        public long GetInt64(int ordinal)
        {
            ref readonly var cell = ref At(ordinal);
            return cell.Type switch
            {
                raw.SQLITE_INTEGER => cell.Integer,
                raw.SQLITE_FLOAT => (long)cell.Real,
                _ => throw new InvalidCastException($"Column {ordinal} holds no number."),
            };
        }

        public double GetDouble(int ordinal)
        {
            ref readonly var cell = ref At(ordinal);
            return cell.Type switch
            {
                raw.SQLITE_FLOAT => cell.Real,
                raw.SQLITE_INTEGER => cell.Integer,
                _ => throw new InvalidCastException($"Column {ordinal} holds no number."),
            };
        }

        public string GetString(int ordinal)
        {
            ref readonly var cell = ref At(ordinal);
            return cell.Type switch
            {
                raw.SQLITE_TEXT or raw.SQLITE_BLOB => Encoding.UTF8.GetString(rows._arena, cell.Offset, cell.Length),
                raw.SQLITE_INTEGER => cell.Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
                raw.SQLITE_FLOAT => cell.Real.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new InvalidCastException($"Column {ordinal} is NULL."),
            };
        }

        /// <summary>A blob column's bytes: the arena and where they sit in it (valid until the rows are cleared).</summary>
        public (byte[] Buffer, int Offset, int Length) GetBlob(int ordinal)
        {
            ref readonly var cell = ref At(ordinal);
            return cell.Type is raw.SQLITE_BLOB or raw.SQLITE_TEXT
                ? (rows._arena, cell.Offset, cell.Length)
                : throw new InvalidCastException($"Column {ordinal} holds no blob.");
        }
    }
}
