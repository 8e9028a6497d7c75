using System.Text;
using Microsoft.Data.Sqlite;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// The two full-text indexes: building their rows from stored exchanges (deferred indexing and recovery) and
/// turning needles into index queries.
/// <para>
/// Both indexes keep no positions (<c>detail=column</c> for words, <c>detail=none</c> for trigrams) and no
/// document sizes: every index hit is confirmed against the stored text anyway, so an AND of the needle's words
/// or trigrams is a sufficient pre-filter, and storing less makes indexing cheaper on the write path.
/// </para>
/// </summary>
internal static class SearchIndexer
{
    private const int MaxTrigrams = 24;

    /// <summary>
    /// A word-index expression: the needle's words ANDed, the last as a prefix when the needle may continue it.
    /// Null when the needle has no word character.
    /// </summary>
    public static string? WordQuery(string needle, string? columns)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var c in needle)
        {
            if (BodySearch.IsWordCharacter(c))
            {
                current.Append(c);
            }
            else if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
        var endsInWord = current.Length > 0;
        if (endsInWord) words.Add(current.ToString());
        if (words.Count == 0) return null;
        var terms = words.Distinct(StringComparer.OrdinalIgnoreCase).Select(Quote).ToList();
        if (endsInWord) terms[^1] = Quote(words[^1]) + " *";
        var expression = "(" + string.Join(" AND ", terms) + ")";
        return columns is null ? expression : "{" + columns + "} : " + expression;
    }

    /// <summary>A trigram-index expression (an AND of the needle's trigrams), or null below 3 characters.</summary>
    public static string? TrigramQuery(string needle)
    {
        var runes = needle.EnumerateRunes().Select(r => r.ToString()).ToList();
        if (runes.Count < 3) return null;
        var trigrams = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 3 <= runes.Count && trigrams.Count < MaxTrigrams; i++)
        {
            var trigram = runes[i] + runes[i + 1] + runes[i + 2];
            if (seen.Add(trigram)) trigrams.Add(Quote(trigram));
        }
        return string.Join(" AND ", trigrams);
    }

    private static string Quote(string text) => "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// Indexes the oldest <paramref name="slice"/> exchanges listed in <c>unindexed</c> and removes them from the list, in one
    /// transaction; returns how many were indexed (0 when none were left).
    /// </summary>
    public static long IndexDeferredSlice(SqliteConnection connection, int slice, CancellationToken cancellationToken = default)
    {
        var oldest = "SELECT seq FROM unindexed ORDER BY seq LIMIT " + slice.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var transaction = connection.BeginTransaction();
        var indexed = IndexStored(connection, transaction, $"e.seq IN ({oldest})", cancellationToken: cancellationToken);
        SessionDatabase.Execute(connection, $"DELETE FROM unindexed WHERE seq IN ({oldest})", transaction);
        transaction.Commit();
        return indexed;
    }

    /// <summary>
    /// Indexes stored exchanges chosen by <paramref name="seqFilter"/> (a condition on <c>e.seq</c>), in seq order;
    /// returns how many were indexed. <paramref name="onRow"/> sees each seq (progress, bookkeeping).
    /// </summary>
    public static long IndexStored(SqliteConnection connection, SqliteTransaction transaction, string seqFilter, Action<long>? onRow = null,
        CancellationToken cancellationToken = default)
    {
        using var text = connection.CreateCommand();
        text.Transaction = transaction;
        text.CommandText = """
            INSERT INTO text_index(rowid, url, request_headers, response_headers, request_body, response_body)
            VALUES ($seq, $url, $reqHeaders, $respHeaders, $reqBody, $respBody)
            """;
        foreach (var name in new[] { "$seq", "$url", "$reqHeaders", "$respHeaders", "$reqBody", "$respBody" })
            text.Parameters.Add(new SqliteParameter { ParameterName = name });
        using var locator = connection.CreateCommand();
        locator.Transaction = transaction;
        locator.CommandText = "INSERT INTO locator_index(rowid, locator) VALUES ($seq, $locator)";
        locator.Parameters.Add(new SqliteParameter { ParameterName = "$seq" });
        locator.Parameters.Add(new SqliteParameter { ParameterName = "$locator" });

        using var rows = connection.CreateCommand();
        rows.Transaction = transaction;
        rows.CommandText = $"""
            SELECT e.seq, e.url, e.exchange_id, e.matched_rule_id, e.status_code, d.request_headers, d.request_preview, d.response_headers,
                d.response_preview, (SELECT decoded FROM bodies WHERE id = e.seq * 2), (SELECT decoded FROM bodies WHERE id = e.seq * 2 + 1),
                e.hostname, e.path
            FROM exchanges e JOIN details d ON d.seq = e.seq WHERE {seqFilter} ORDER BY e.seq
            """;
        long count = 0;
        var pending = new List<(long Seq, string Url, string Locator, string RequestHeaders, string? ResponseHeaders, string? RequestBody, string? ResponseBody)>();
        using (var reader = rows.ExecuteReader())
        {
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var seq = reader.GetInt64(0);
                var url = reader.GetString(1);
                var id = reader.GetString(2);
                var rule = SessionReader.NullableString(reader, 3);
                var hasResponse = !reader.IsDBNull(4);
                var requestHeaders = HeaderJson.Read(reader.GetString(5));
                var responseHeaders = HeaderJson.Read(SessionReader.NullableString(reader, 7));
                Func<Stream>? Body(int ordinal, int side) => reader.IsDBNull(ordinal)
                    ? null
                    : () => new SqliteBlob(connection, "bodies", "data", SessionDatabase.BodyRowId(seq, side), readOnly: true);
                var requestBody = ExchangeRowWriter.IndexText(Body(9, SessionDatabase.RequestSide), !reader.IsDBNull(9) && reader.GetInt64(9) != 0,
                    reader.GetString(6), requestHeaders);
                var responseBody = hasResponse
                    ? ExchangeRowWriter.IndexText(Body(10, SessionDatabase.ResponseSide), !reader.IsDBNull(10) && reader.GetInt64(10) != 0,
                        SessionReader.NullableString(reader, 8), responseHeaders)
                    : null;
                pending.Add((seq, url, ExchangeRowWriter.Locator(url, reader.GetString(11), reader.GetString(12), id, rule), HeaderJson.Text(requestHeaders),
                    hasResponse ? HeaderJson.Text(responseHeaders) : null, requestBody, responseBody));
                // Insert in chunks so a rebuild of millions of rows never holds them all.
                if (pending.Count == 1000) Flush();
            }
        }
        Flush();
        return count;

        void Flush()
        {
            foreach (var row in pending)
            {
                var t = text.Parameters;
                t[0].Value = row.Seq;
                t[1].Value = row.Url;
                t[2].Value = row.RequestHeaders;
                t[3].Value = (object?)row.ResponseHeaders ?? DBNull.Value;
                t[4].Value = (object?)row.RequestBody ?? DBNull.Value;
                t[5].Value = (object?)row.ResponseBody ?? DBNull.Value;
                text.ExecuteNonQuery();
                locator.Parameters[0].Value = row.Seq;
                locator.Parameters[1].Value = row.Locator;
                locator.ExecuteNonQuery();
                onRow?.Invoke(row.Seq);
                count++;
            }
            pending.Clear();
        }
    }
}
