using System.Runtime.InteropServices;
using SQLitePCL;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// Column reads straight from the SQLite library that SQLitePCLRaw loads, for the loops that copy millions of rows
/// (HAR export, the locator columns). SQLitePCLRaw's own calls take the statement as a SafeHandle, which adds and
/// releases a reference and switches GC mode on every call: with ~80 column calls per row that was the single largest
/// cost of the export's reading thread. These take the raw pointer, kept alive by <see cref="Use"/>, and skip the GC
/// transition: each is a few instructions in SQLite that neither blocks nor calls back.
/// </summary>
internal static partial class NativeColumns
{
    // The bundle Microsoft.Data.Sqlite ships (SQLitePCLRaw.bundle_e_sqlite3) loads this library under this name; the
    // statement pointers come from it, so these imports must resolve to the same one.
    private const string Library = "e_sqlite3";

    [LibraryImport(Library, EntryPoint = "sqlite3_column_type")]
    [SuppressGCTransition]
    public static partial int Type(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_int64")]
    [SuppressGCTransition]
    public static partial long Int64(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_double")]
    [SuppressGCTransition]
    public static partial double Double(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_blob")]
    [SuppressGCTransition]
    private static partial nint BlobPointer(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_bytes")]
    [SuppressGCTransition]
    private static partial int Bytes(nint statement, int column);

    /// <summary>A text or blob column's bytes, valid until the next step (pointer first, then size, as SQLite asks).</summary>
    public static unsafe ReadOnlySpan<byte> Blob(nint statement, int column)
    {
        var pointer = BlobPointer(statement, column);
        var length = Bytes(statement, column);
        return pointer == 0 ? default : new ReadOnlySpan<byte>((void*)pointer, length);
    }

    /// <summary>Runs <paramref name="body"/> with the statement's raw pointer, holding a reference so it cannot be freed meanwhile.</summary>
    public static T Use<T>(sqlite3_stmt statement, Func<nint, T> body)
    {
        var added = false;
        try
        {
            statement.DangerousAddRef(ref added);
            return body(statement.DangerousGetHandle());
        }
        finally
        {
            if (added) statement.DangerousRelease();
        }
    }
}
