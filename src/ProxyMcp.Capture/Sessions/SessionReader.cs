using Microsoft.Data.Sqlite;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// Read access to one stored session: queries, single exchanges and their bodies. Holds one read connection for its
/// lifetime (reads never block the writer and see every committed batch); dispose it when done.
/// </summary>
public sealed class SessionReader : IDisposable
{
    internal const string EntryColumns = """
        e.seq, e.exchange_id, e.timestamp, e.method, e.hostname, e.path, e.url, e.status_code, e.duration,
        e.request_body_size, e.response_body_size, e.has_request_body, e.has_response_body, e.matched_rule_id,
        e.ja3, e.ja4, e.ja3s, e.response_content_type, e.source
        """;

    internal const int EntryColumnCount = 19;

    private readonly SessionStore _store;

    internal SessionReader(SessionStore store, string sessionId, string directory)
    {
        _store = store;
        SessionId = sessionId;
        Directory = directory;
        DatabasePath = Path.Combine(directory, SessionDatabase.FileName);
        Connection = SessionDatabase.OpenRead(DatabasePath);
        // A stopped session whose deferred indexing did not finish (the process ended first) finishes it now.
        store.Indexing.ResumeIfBehind(DatabasePath, Connection);
    }

    public string SessionId { get; }
    public string Directory { get; }
    internal string DatabasePath { get; }
    internal SqliteConnection Connection { get; }
    internal SessionStore Store => _store;

    /// <summary>The manifest as of now (live counters for the recording session).</summary>
    public SessionManifest Manifest() => _store.Get(SessionId);

    /// <summary>One page of index entries matching <paramref name="query"/>, and how many match in all.</summary>
    public (long Total, IReadOnlyList<SessionIndexEntry> Items) Query(SessionQuery query, int offset, int limit)
    {
        if (LocatorQuery.TryRun(this, query, offset, limit) is { } answer) return answer;
        return (SqlCount(query), SqlPage(query, offset, limit));
    }

    public long Count(SessionQuery query) =>
        LocatorQuery.TryRun(this, query, 0, 0) is { } answer ? answer.Total : SqlCount(query);

    public IReadOnlyList<SessionIndexEntry> Page(SessionQuery query, int offset, int limit) =>
        LocatorQuery.TryRun(this, query, offset, limit) is { } answer ? answer.Items : SqlPage(query, offset, limit);

    private long SqlCount(SessionQuery query)
    {
        using var command = Connection.CreateCommand();
        if (!query.HasFilters)
        {
            command.CommandText = "SELECT exchange_count FROM session";
            return Convert.ToInt64(command.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
        }
        command.CommandText = $"SELECT count(*) FROM exchanges e WHERE {query.Where(command)}";
        return (long)command.ExecuteScalar()!;
    }

    private List<SessionIndexEntry> SqlPage(SessionQuery query, int offset, int limit)
    {
        var items = new List<SessionIndexEntry>(Math.Min(limit, 1024));
        foreach (var entry in Entries(query, offset, limit)) items.Add(entry);
        return items;
    }

    /// <summary>Matching entries in order, streamed (for export and replay selection): nothing is held beyond one row.</summary>
    public IEnumerable<SessionIndexEntry> Entries(SessionQuery query, long offset = 0, long limit = long.MaxValue)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = $"SELECT {EntryColumns} FROM exchanges e WHERE {query.Where(command)} ORDER BY {query.OrderBy} LIMIT $limit OFFSET $offset";
        command.Parameters.AddWithValue("$limit", limit == long.MaxValue ? -1 : limit);
        command.Parameters.AddWithValue("$offset", offset);
        using var reader = command.ExecuteReader();
        while (reader.Read()) yield return ReadEntry(reader, 0);
    }

    public SessionIndexEntry? FindBySeq(long seq)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = $"SELECT {EntryColumns} FROM exchanges e WHERE e.seq = $seq";
        command.Parameters.AddWithValue("$seq", seq);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadEntry(reader, 0) : null;
    }

    /// <summary>The entry with this exchange id (the first stored, should an id repeat).</summary>
    public SessionIndexEntry? FindById(string exchangeId)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = $"SELECT {EntryColumns} FROM exchanges e WHERE e.exchange_id = $id ORDER BY e.seq LIMIT 1";
        command.Parameters.AddWithValue("$id", exchangeId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadEntry(reader, 0) : null;
    }

    /// <summary>The full exchange record (headers as [name, value] pairs, previews, TLS, timings) without bodies.</summary>
    public StoredExchange? GetExchange(long seq)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = $"""
            SELECT {EntryColumns}, {DetailColumns},
                (SELECT length(data) FROM bodies WHERE id = e.seq * 2), (SELECT truncated FROM bodies WHERE id = e.seq * 2),
                (SELECT decoded FROM bodies WHERE id = e.seq * 2),
                (SELECT length(data) FROM bodies WHERE id = e.seq * 2 + 1), (SELECT truncated FROM bodies WHERE id = e.seq * 2 + 1),
                (SELECT decoded FROM bodies WHERE id = e.seq * 2 + 1)
            FROM exchanges e JOIN details d ON d.seq = e.seq WHERE e.seq = $seq
            """;
        command.Parameters.AddWithValue("$seq", seq);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        var entry = ReadEntry(reader, 0);
        var exchange = ReadExchange(reader, entry, EntryColumnCount);
        var b = EntryColumnCount + DetailColumnCount;
        return new StoredExchange(entry, exchange, ReadBodyInfo(reader, b), ReadBodyInfo(reader, b + 3));
    }

    /// <summary>A read-only stream over a stored raw body, or null when none was stored.</summary>
    public Stream? OpenBody(long seq, bool response)
    {
        var rowId = SessionDatabase.BodyRowId(seq, response ? SessionDatabase.ResponseSide : SessionDatabase.RequestSide);
        using (var exists = Connection.CreateCommand())
        {
            exists.CommandText = "SELECT 1 FROM bodies WHERE id = $id";
            exists.Parameters.AddWithValue("$id", rowId);
            if (exists.ExecuteScalar() is null) return null;
        }
        return new SqliteBlob(Connection, "bodies", "data", rowId, readOnly: true);
    }

    /// <summary>
    /// A stored body, decoded per its Content-Encoding (unless stored decoded), up to <paramref name="maxBytes"/>;
    /// null when no full body was stored.
    /// </summary>
    public DecodedBody? ReadDecodedBody(StoredExchange stored, bool response, long maxBytes)
    {
        var info = response ? stored.ResponseBody : stored.RequestBody;
        if (info is null) return null;
        var headers = response ? stored.Exchange.Response?.Headers : stored.Exchange.Request.Headers;
        var seq = stored.Entry.Seq;
        return BodyDecoding.Decode(() => OpenBody(seq, response) ?? Stream.Null, headers?.Get("content-encoding"), info.Decoded, maxBytes);
    }

    /// <summary>The raw stored bytes of one body (for replay), or null.</summary>
    public byte[]? ReadRawBody(long seq, bool response)
    {
        using var stream = OpenBody(seq, response);
        if (stream is null) return null;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    internal const string DetailColumns = """
        d.http_version, d.request_headers, d.request_preview, d.status_message, d.response_headers, d.response_preview,
        d.tls, d.error_kind, d.error_message, d.request_sent_ms, d.response_headers_ms, d.response_done_ms, d.websocket,
        d.client_endpoint
        """;

    internal const int DetailColumnCount = 14;

    internal static SessionIndexEntry ReadEntry(SqliteDataReader reader, int o) => ReadEntry(new DataReaderRow(reader), o);

    /// <summary>The entry columns starting at <paramref name="o"/>, from a data reader or from a row copied off the statement.</summary>
    internal static SessionIndexEntry ReadEntry<TRow>(TRow row, int o) where TRow : IStoredRow => new()
    {
        Seq = row.GetInt64(o),
        ExchangeId = row.GetString(o + 1),
        Timestamp = row.GetInt64(o + 2),
        Method = row.GetString(o + 3),
        Hostname = row.GetString(o + 4),
        Path = row.GetString(o + 5),
        Url = row.GetString(o + 6),
        StatusCode = row.IsDBNull(o + 7) ? null : (int)row.GetInt64(o + 7),
        Duration = row.IsDBNull(o + 8) ? null : row.GetDouble(o + 8),
        RequestBodySize = row.GetInt64(o + 9),
        ResponseBodySize = row.IsDBNull(o + 10) ? null : row.GetInt64(o + 10),
        HasFullRequestBody = row.GetInt64(o + 11) != 0,
        HasFullResponseBody = row.GetInt64(o + 12) != 0,
        MatchedRuleId = NullableString(row, o + 13),
        Ja3 = NullableString(row, o + 14),
        Ja4 = NullableString(row, o + 15),
        Ja3s = NullableString(row, o + 16),
        ResponseContentType = NullableString(row, o + 17),
        Source = NullableString(row, o + 18),
    };

    /// <summary>Rebuilds the engine's exchange record from a row of entry columns followed by detail columns.</summary>
    internal static Exchange ReadExchange(SqliteDataReader reader, SessionIndexEntry entry, int o) =>
        ReadDetails(reader, o).ToExchange(entry);

    /// <summary>The detail columns as stored (header and TLS JSON still unparsed), so parsing can happen off the reading thread.</summary>
    internal static StoredDetails ReadDetails(SqliteDataReader reader, int o) => ReadDetails(new DataReaderRow(reader), o);

    internal static StoredDetails ReadDetails<TRow>(TRow row, int o) where TRow : IStoredRow => new(
        HttpVersion: row.GetString(o),
        RequestHeadersJson: row.GetString(o + 1),
        RequestPreview: row.GetString(o + 2),
        StatusMessage: NullableString(row, o + 3),
        ResponseHeadersJson: NullableString(row, o + 4),
        ResponsePreview: NullableString(row, o + 5),
        TlsFactsJson: NullableString(row, o + 6),
        ErrorKind: NullableString(row, o + 7),
        ErrorMessage: NullableString(row, o + 8),
        RequestSentMs: row.IsDBNull(o + 9) ? null : row.GetDouble(o + 9),
        ResponseHeadersMs: row.IsDBNull(o + 10) ? null : row.GetDouble(o + 10),
        ResponseDoneMs: row.IsDBNull(o + 11) ? null : row.GetDouble(o + 11),
        WebSocket: row.GetInt64(o + 12) != 0,
        ClientEndPoint: NullableString(row, o + 13));

    internal static StoredBodyInfo? ReadBodyInfo(SqliteDataReader reader, int o) => reader.IsDBNull(o)
        ? null
        : new StoredBodyInfo(reader.GetInt64(o), reader.GetInt64(o + 1) != 0, reader.GetInt64(o + 2) != 0);

    internal static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static string? NullableString<TRow>(TRow row, int ordinal) where TRow : IStoredRow => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);

    public void Dispose() => Connection.Dispose();
}

/// <summary>One stored exchange: its index entry, the rebuilt record and what is known about its stored bodies.</summary>
public sealed record StoredExchange(SessionIndexEntry Entry, Exchange Exchange, StoredBodyInfo? RequestBody, StoredBodyInfo? ResponseBody);

/// <summary>A stored complete body: its raw length, whether capture cut it, and whether it was stored already decoded.</summary>
public sealed record StoredBodyInfo(long Length, bool Truncated, bool Decoded);

/// <summary>A row's detail columns as stored; <see cref="ToExchange"/> parses them into the engine's record.</summary>
internal sealed record StoredDetails(string HttpVersion, string RequestHeadersJson, string RequestPreview, string? StatusMessage,
    string? ResponseHeadersJson, string? ResponsePreview, string? TlsFactsJson, string? ErrorKind, string? ErrorMessage, double? RequestSentMs,
    double? ResponseHeadersMs, double? ResponseDoneMs, bool WebSocket, string? ClientEndPoint)
{
    public Exchange ToExchange(SessionIndexEntry entry) => new()
    {
        Id = entry.ExchangeId,
        Timestamp = entry.Timestamp,
        Source = entry.Source,
        HttpVersion = HttpVersion,
        Request = new ExchangeRequest
        {
            Method = entry.Method,
            Url = entry.Url,
            Hostname = entry.Hostname,
            Path = entry.Path,
            Headers = HeaderJson.Read(RequestHeadersJson),
            BodyPreview = RequestPreview,
            BodySize = entry.RequestBodySize,
        },
        Response = entry.StatusCode is { } status
            ? new ExchangeResponse
            {
                StatusCode = status,
                StatusMessage = StatusMessage ?? "",
                Headers = HeaderJson.Read(ResponseHeadersJson),
                BodyPreview = ResponsePreview ?? "",
                BodySize = entry.ResponseBodySize ?? 0,
            }
            : null,
        Tls = TlsJson.Read(TlsFactsJson),
        Duration = entry.Duration,
        MatchedRuleId = entry.MatchedRuleId,
        Error = ErrorKind is { } kind
            ? new ExchangeError(Enum.TryParse<ExchangeErrorKind>(kind, out var parsed) ? parsed : ExchangeErrorKind.Other, ErrorMessage ?? "")
            : null,
        Timings = new ExchangeTimings
        {
            RequestSentMs = RequestSentMs,
            ResponseHeadersMs = ResponseHeadersMs,
            ResponseDoneMs = ResponseDoneMs,
        },
        WebSocket = WebSocket,
        ClientEndPoint = ClientEndPoint,
    };
}

/// <summary>The column reads the row mappers need, so one mapping serves a data reader and a row copied off a statement.</summary>
internal interface IStoredRow
{
    bool IsDBNull(int ordinal);
    long GetInt64(int ordinal);
    double GetDouble(int ordinal);
    string GetString(int ordinal);
}

internal readonly struct DataReaderRow(SqliteDataReader reader) : IStoredRow
{
    public bool IsDBNull(int ordinal) => reader.IsDBNull(ordinal);
    public long GetInt64(int ordinal) => reader.GetInt64(ordinal);
    public double GetDouble(int ordinal) => reader.GetDouble(ordinal);
    public string GetString(int ordinal) => reader.GetString(ordinal);
}
