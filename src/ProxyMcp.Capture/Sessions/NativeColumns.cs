using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// Column reads straight from the SQLite library that SQLitePCLRaw loads, for the loops that copy millions of rows
/// (HAR export, the locator columns). SQLitePCLRaw's own calls take the statement as a SafeHandle, which adds and
/// releases a reference and switches GC mode on every call: with ~80 column calls per row that was the single largest
/// cost of the export's reading thread. These take the raw pointer, kept alive by <see cref="Use"/>, and skip the GC
/// transition: once a row is stepped its values are in SQLite's memory, so each call is a few instructions that
/// neither does I/O, blocks on another thread (one thread per connection here) nor calls back.
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

    /// <summary>
    /// Runs <paramref name="command"/>'s text and parameters as a raw statement on its connection, calling
    /// <paramref name="onRow"/> with the statement's raw pointer for each row until it returns false.
    /// </summary>
    public static void Run(SqliteConnection connection, SqliteCommand command, Func<nint, bool> onRow, CancellationToken cancellationToken)
    {
        var database = connection.Handle!;
        Check(database, raw.sqlite3_prepare_v2(database, command.CommandText, out var statement));
        using (statement)
        {
            foreach (SqliteParameter parameter in command.Parameters)
            {
                var index = raw.sqlite3_bind_parameter_index(statement, parameter.ParameterName);
                if (index == 0) continue;
                Check(database, parameter.Value switch
                {
                    null or DBNull => raw.sqlite3_bind_null(statement, index),
                    string text => raw.sqlite3_bind_text(statement, index, text),
                    byte[] bytes => raw.sqlite3_bind_blob(statement, index, bytes),
                    int number => raw.sqlite3_bind_int64(statement, index, number),
                    long number => raw.sqlite3_bind_int64(statement, index, number),
                    double number => raw.sqlite3_bind_double(statement, index, number),
                    bool flag => raw.sqlite3_bind_int64(statement, index, flag ? 1 : 0),
                    var other => throw new NotSupportedException($"Cannot bind a {other.GetType().Name} parameter."),
                });
            }
            var step = Use(statement, pointer =>
            {
                int result;
                while ((result = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!onRow(pointer)) return raw.SQLITE_DONE;
                }
                return result;
            });
            if (step != raw.SQLITE_DONE) Check(database, step);
        }
    }

    private static void Check(sqlite3 database, int result)
    {
        if (result is not (raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW))
            throw new SqliteException(raw.sqlite3_errmsg(database).utf8_to_string(), result);
    }

    /// <summary>Runs <paramref name="body"/> with the statement's raw pointer, holding a reference so it cannot be freed meanwhile.</summary>
    private static T Use<T>(sqlite3_stmt statement, Func<nint, T> body)
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
