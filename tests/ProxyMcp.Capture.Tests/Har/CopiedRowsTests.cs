using Microsoft.Data.Sqlite;
using ProxyMcp.Capture.Har;
using ProxyMcp.Capture.Sessions;

namespace ProxyMcp.Capture.Tests.Har;

public sealed class CopiedRowsTests
{
    [Fact]
    public void Rows_read_back_as_a_data_reader_reads_them_and_survive_the_arena_growing()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        var big = new byte[1_000_000];
        new Random(1).NextBytes(big);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT 42, 2.5, 'héllo ✓', x'00FF10', NULL, '', x'', $big, $name
            UNION ALL SELECT -7, 3, 'second', NULL, 'x', 'y', x'01', x'02', $name
            """;
        command.Parameters.AddWithValue("$big", big);
        command.Parameters.AddWithValue("$name", "bound ünïcode");
        var rows = new CopiedRows(9);

        NativeColumns.Run(connection, command, statement => rows.Append(statement) >= 0, default);

        Assert.Equal(2, rows.Count);
        var first = rows[0];
        Assert.Equal(42, first.GetInt64(0));
        Assert.Equal(2.5, first.GetDouble(1));
        Assert.Equal("héllo ✓", first.GetString(2));
        var (buffer, offset, length) = first.GetBlob(3);
        Assert.Equal(new byte[] { 0, 0xFF, 0x10 }, buffer.AsSpan(offset, length).ToArray());
        Assert.True(first.IsDBNull(4));
        Assert.Equal("", first.GetString(5));
        Assert.Equal(0, first.GetBlob(6).Length);
        var blob = first.GetBlob(7);
        Assert.Equal(big, blob.Buffer.AsSpan(blob.Offset, blob.Length).ToArray());
        Assert.Equal("bound ünïcode", first.GetString(8));
        // An integer column read as a double, as SqliteDataReader allows.
        Assert.Equal(3.0, rows[1].GetDouble(1));
        Assert.Equal(-7, rows[1].GetInt64(0));
        Assert.Equal(big.Length + 3 + 2, rows.BlobBytes);

        rows.RemoveLast();
        Assert.Equal(1, rows.Count);
        Assert.Equal(big.Length + 3, rows.BlobBytes);
        rows.Clear();
        Assert.Equal(0, rows.Count);
        Assert.Equal(0, rows.BlobBytes);
    }

    [Fact]
    public void A_failing_statement_is_a_sqlite_error()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM missing_table";

        var error = Assert.Throws<SqliteException>(() => NativeColumns.Run(connection, command, _ => true, default));

        Assert.Contains("missing_table", error.Message);
    }
}
