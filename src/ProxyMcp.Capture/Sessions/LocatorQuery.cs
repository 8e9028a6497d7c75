using System.Collections;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// Answers a session query with a <c>url_contains</c>/<c>text</c> filter from the session's in-memory
/// <see cref="LocatorColumns"/>: every filter becomes a bit set of rows, the page is cut in memory and only its rows
/// are read from SQLite. Same total, same page and same order as the SQL path.
/// </summary>
internal static class LocatorQuery
{
    /// <summary>The total and the page, or null when the session's columns are not held (SQL answers then).</summary>
    public static (long Total, IReadOnlyList<SessionIndexEntry> Items)? TryRun(SessionReader reader, SessionQuery query, long offset, int limit)
    {
        if (query.UrlContains is null && query.Text is null)
        {
            // SQL's indexes answer this one; load the columns for the substring filters that tend to follow.
            reader.Store.Locators.Warm(reader.DatabasePath, reader.Connection);
            return null;
        }
        return reader.Store.Locators.TryUse(reader.DatabasePath, reader.Connection,
            (columns, transaction) => Run(columns, reader.Connection, transaction, query, offset, limit), out var answer)
            ? answer
            : null;
    }

    private static (long Total, IReadOnlyList<SessionIndexEntry> Items)? Run(LocatorColumns columns, SqliteConnection connection,
        SqliteTransaction transaction, SessionQuery query, long offset, int limit)
    {
        var selected = columns.Match(query, out var matches);
        if (selected is null) return null;
        var page = PageOfMatches(columns, selected, matches, query.Descending, offset, limit);
        return (matches, Fetch(connection, transaction, page));
    }

    /// <summary>Orders the matching rows by (timestamp, seq) as SQL does and cuts the page.</summary>
    private static List<long> PageOfMatches(LocatorColumns columns, BitArray selected, int matches, bool descending, long offset, int limit)
    {
        var page = new List<long>(limit);
        if (limit == 0 || offset >= matches) return page;
        if (columns.InTimestampOrder)
        {
            // seq order is timestamp order: walk from the wanted end, skipping offset matches.
            var skipped = 0L;
            for (var i = 0; i < columns.Count && page.Count < limit; i++)
            {
                var row = descending ? columns.Count - 1 - i : i;
                if (!selected[row]) continue;
                if (skipped++ >= offset) page.Add(columns.SeqAt(row));
            }
            return page;
        }
        var rows = new int[matches];
        var n = 0;
        for (var row = 0; row < columns.Count; row++)
        {
            if (selected[row]) rows[n++] = row;
        }
        Comparison<int> ascending = (a, b) =>
        {
            var byTime = columns.TimestampAt(a).CompareTo(columns.TimestampAt(b));
            return byTime != 0 ? byTime : columns.SeqAt(a).CompareTo(columns.SeqAt(b));
        };
        Array.Sort(rows, descending ? (a, b) => ascending(b, a) : ascending);
        for (var i = offset; i < rows.Length && page.Count < limit; i++) page.Add(columns.SeqAt(rows[i]));
        return page;
    }

    /// <summary>The entries of <paramref name="seqs"/>, in that order.</summary>
    private static List<SessionIndexEntry> Fetch(SqliteConnection connection, SqliteTransaction transaction, List<long> seqs)
    {
        var items = new List<SessionIndexEntry>(seqs.Count);
        if (seqs.Count == 0) return items;
        var found = new Dictionary<long, SessionIndexEntry>(seqs.Count);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {SessionReader.EntryColumns} FROM exchanges e WHERE e.seq IN ({SeqList(seqs)})";
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var entry = SessionReader.ReadEntry(reader, 0);
                found[entry.Seq] = entry;
            }
        }
        foreach (var seq in seqs)
        {
            if (found.TryGetValue(seq, out var entry)) items.Add(entry);
        }
        return items;
    }

    /// <summary>Integer literals for an IN list (our own longs, never text from a caller).</summary>
    private static string SeqList(List<long> seqs)
    {
        var builder = new StringBuilder(seqs.Count * 8);
        foreach (var seq in seqs)
        {
            if (builder.Length > 0) builder.Append(',');
            builder.Append(seq.ToString(CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }
}
