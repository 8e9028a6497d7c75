using Microsoft.Data.Sqlite;

namespace ProxyMcp.Capture.Sessions;

/// <summary>Totals of proxy://sessions/{id}/summary (spec 7.2).</summary>
public sealed record SessionTotals(long Exchanges, long? AvgDurationMs, IReadOnlyList<(string Hostname, long Count)> TopHostnames,
    IReadOnlyList<(int Status, long Count)> Statuses, IReadOnlyList<(string Method, long Count)> Methods);

/// <summary>One minute of proxy://sessions/{id}/timeline (spec 7.3).</summary>
public sealed record TimelineBucket(long BucketStart, long Count, long ErrorCount);

/// <summary>proxy://sessions/{id}/findings (spec 7.4).</summary>
public sealed record SessionFindings(
    IReadOnlyList<(string Endpoint, long Errors)> HighErrorEndpoints,
    IReadOnlyList<(string ExchangeId, double Duration, string Url)> SlowestExchanges,
    IReadOnlyList<(string Hostname, long Total, long Errors, double ErrorRate)> HostErrorRates);

/// <summary>One exchange of proxy_get_session_handshakes.</summary>
public sealed record HandshakeEntry(long Seq, string ExchangeId, long Timestamp, string Hostname, string Url, string? Ja3, string? Ja4, string? Ja3s)
{
    public bool HasTls => Ja3 is not null || Ja4 is not null || Ja3s is not null;
}

public sealed record HandshakePage(long Total, long WithTlsMetadata, IReadOnlyList<HandshakeEntry> Items)
{
    public long WithoutTlsMetadata => Math.Max(0, Total - WithTlsMetadata);
}

/// <summary>
/// The aggregate views of a session, each one SQL statement over the indexed <c>exchanges</c> table (the original
/// re-read and parsed its whole index file per view). Ties keep first-seen order, as proxy-mcp's maps did.
/// </summary>
public static class SessionStatistics
{
    public const int BucketMs = 60_000;

    public static SessionTotals Totals(SessionReader session)
    {
        var connection = session.Connection;
        long exchanges = 0;
        long? average = null;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT count(*), avg(duration) FROM exchanges";
            using var reader = command.ExecuteReader();
            reader.Read();
            exchanges = reader.GetInt64(0);
            if (!reader.IsDBNull(1)) average = (long)Math.Round(reader.GetDouble(1), MidpointRounding.AwayFromZero);
        }
        var hosts = Pairs(connection, "SELECT hostname, count(*) c, min(seq) f FROM exchanges WHERE hostname <> '' GROUP BY hostname ORDER BY c DESC, f LIMIT 10",
            r => (r.GetString(0), r.GetInt64(1)));
        var statuses = Pairs(connection, "SELECT status_code, count(*) c, min(seq) f FROM exchanges WHERE status_code IS NOT NULL GROUP BY status_code ORDER BY f",
            r => (r.GetInt32(0), r.GetInt64(1)));
        var methods = Pairs(connection, "SELECT method, count(*) c, min(seq) f FROM exchanges GROUP BY method ORDER BY f",
            r => (r.GetString(0), r.GetInt64(1)));
        return new SessionTotals(exchanges, average, hosts, statuses, methods);
    }

    public static IReadOnlyList<TimelineBucket> Timeline(SessionReader session) => Pairs(session.Connection,
        $"SELECT (timestamp / {BucketMs}) * {BucketMs} b, count(*), sum(CASE WHEN status_code >= 400 THEN 1 ELSE 0 END) FROM exchanges GROUP BY b ORDER BY b",
        r => new TimelineBucket(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)));

    public static SessionFindings Findings(SessionReader session)
    {
        var connection = session.Connection;
        var endpoints = Pairs(connection, """
            SELECT hostname || path AS endpoint, count(*) c, min(seq) f FROM exchanges WHERE status_code >= 400
            GROUP BY endpoint ORDER BY c DESC, f LIMIT 10
            """, r => (r.GetString(0), r.GetInt64(1)));
        var slowest = Pairs(connection, "SELECT exchange_id, duration, url FROM exchanges WHERE duration IS NOT NULL ORDER BY duration DESC, seq LIMIT 10",
            r => (r.GetString(0), r.GetDouble(1), r.GetString(2)));
        var rates = Pairs(connection, """
            SELECT hostname, count(*) t, sum(CASE WHEN status_code >= 400 THEN 1 ELSE 0 END) e, min(seq) f FROM exchanges
            GROUP BY hostname ORDER BY CAST(e AS REAL) / t DESC, f LIMIT 10
            """, r => (r.GetString(0), r.GetInt64(1), r.GetInt64(2), (double)r.GetInt64(2) / r.GetInt64(1)));
        return new SessionFindings(endpoints, slowest, rates);
    }

    /// <summary>
    /// TLS fingerprints per exchange, with counts over every matching exchange (the original counted only the first 5,000).
    /// </summary>
    public static HandshakePage Handshakes(SessionReader session, SessionQuery query, int offset, int limit)
    {
        var connection = session.Connection;
        long total, withTls;
        using (var count = connection.CreateCommand())
        {
            count.CommandText = $"""
                SELECT count(*), coalesce(sum(CASE WHEN ja3 IS NOT NULL OR ja4 IS NOT NULL OR ja3s IS NOT NULL THEN 1 ELSE 0 END), 0)
                FROM exchanges e WHERE {query.Where(count)}
                """;
            using var reader = count.ExecuteReader();
            reader.Read();
            total = reader.GetInt64(0);
            withTls = reader.GetInt64(1);
        }
        using var page = connection.CreateCommand();
        page.CommandText = $"""
            SELECT e.seq, e.exchange_id, e.timestamp, e.hostname, e.url, e.ja3, e.ja4, e.ja3s FROM exchanges e
            WHERE {query.Where(page)} ORDER BY {query.OrderBy} LIMIT $limit OFFSET $offset
            """;
        page.Parameters.AddWithValue("$limit", limit);
        page.Parameters.AddWithValue("$offset", offset);
        var items = new List<HandshakeEntry>();
        using (var reader = page.ExecuteReader())
        {
            while (reader.Read())
            {
                items.Add(new HandshakeEntry(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
                    SessionReader.NullableString(reader, 5), SessionReader.NullableString(reader, 6), SessionReader.NullableString(reader, 7)));
            }
        }
        return new HandshakePage(total, withTls, items);
    }

    private static List<T> Pairs<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> read)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var list = new List<T>();
        while (reader.Read()) list.Add(read(reader));
        return list;
    }
}
