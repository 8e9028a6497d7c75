using Microsoft.Data.Sqlite;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// The on-disk shape of one session: <c>&lt;root&gt;/&lt;id&gt;/session.db</c>, a SQLite database in WAL mode.
/// <para>
/// Tables: <c>session</c> (one row, the manifest's truth, updated in the same transaction as every batch so counters
/// never lag the data), <c>exchanges</c> (the narrow, indexed metadata every query filters and sorts on, one row per
/// exchange, <c>seq</c> = rowid), <c>details</c> (headers as [name, value] pairs, previews, TLS, timings, error: read only
/// when one exchange is shown or exported, so scans of <c>exchanges</c> stay small), <c>bodies</c> (raw wire bytes
/// as BLOBs, rowid = seq × 2 + side, so no extra index is needed), <c>hosts</c> (distinct hostnames: a substring
/// filter on hostnames runs over a few hundred rows, then uses the hostname index), <c>text_index</c> (FTS5,
/// word tokens over URL, headers and decoded text bodies, for body search) and <c>locator_index</c> (FTS5 trigram over
/// URL, exchange id and rule id, so the substring filters of proxy_query_session use an index instead of scanning
/// a million rows) and <c>unindexed</c> (exchanges stored but not yet in the full-text indexes, see
/// <see cref="SessionWriter"/>; queries and search treat them as candidates to check directly).
/// </para>
/// <para>
/// Both FTS tables are contentless (<c>content=''</c>): the text lives in <c>exchanges</c>/<c>bodies</c> already,
/// snippets are cut in C# from the decoded body, and a copy would double the disk use. Only five B-tree indexes
/// exist (time, id, method, status, host+method): every index costs on each of thousands of inserts per second, and the
/// rest of the filters combine with one of these.
/// </para>
/// <para>
/// Durability: WAL with <c>synchronous=NORMAL</c> commits without fsync; a committed transaction survives the
/// process being killed (it is in the OS page cache and the WAL is replayed on the next open), only a power loss
/// can take the last commits. The writer commits at least every 100 ms, so <c>kill -9</c> loses what was queued
/// in that window. Checkpoints run automatically every 4,096 pages (16 MiB) of WAL — fewer, larger checkpoints
/// than SQLite's default 1,000 — and the WAL is truncated when recording stops, leaving one file at rest.
/// </para>
/// </summary>
public static class SessionDatabase
{
    public const int SchemaVersion = 2;
    public const string FileName = "session.db";
    public const string HarFolder = "har";

    /// <summary>"PXMC": marks the file as ours, so opening some other SQLite file as a session fails clearly.</summary>
    private const int ApplicationId = 0x50584D43;

    internal const int RequestSide = 0;
    internal const int ResponseSide = 1;

    internal static long BodyRowId(long seq, int side) => seq * 2 + side;

    internal static string ConnectionString(string path, bool readOnly, bool pooled = true) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
        Cache = SqliteCacheMode.Private,
        Pooling = pooled,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>
    /// Opens a connection for reads (which never block the writer in WAL mode). Pooled connections keep their page
    /// cache between tool calls; one-off reads (listing hundreds of sessions) should not keep a file handle each.
    /// </summary>
    internal static SqliteConnection OpenRead(string path, bool pooled = true)
    {
        var connection = new SqliteConnection(ConnectionString(path, readOnly: false, pooled));
        connection.Open();
        // 256 MiB of memory-mapped reads and a 64 MiB page cache make repeated scans of a big session cheap.
        Execute(connection, "PRAGMA query_only=1; PRAGMA mmap_size=268435456; PRAGMA cache_size=-65536; PRAGMA busy_timeout=30000;");
        return connection;
    }

    /// <summary>Opens a connection for writing, creating the schema when the file is new.</summary>
    internal static SqliteConnection OpenWrite(string path)
    {
        var connection = new SqliteConnection(ConnectionString(path, readOnly: false));
        connection.Open();
        Execute(connection, """
            PRAGMA query_only=0;
            PRAGMA busy_timeout=30000;
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=NORMAL;
            PRAGMA wal_autocheckpoint=4096;
            PRAGMA journal_size_limit=67108864;
            PRAGMA cache_size=-16384;
            PRAGMA temp_store=MEMORY;
            """);
        EnsureSchema(connection);
        return connection;
    }

    internal static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Exchanges stored but not yet in the full-text indexes.</summary>
    internal static long UnindexedCount(SqliteConnection connection) =>
        Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM unindexed"), System.Globalization.CultureInfo.InvariantCulture);

    internal static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>Creates the tables of a new file; refuses files that are not sessions or come from a newer version.</summary>
    private static void EnsureSchema(SqliteConnection connection)
    {
        var applicationId = Convert.ToInt64(Scalar(connection, "PRAGMA application_id"), System.Globalization.CultureInfo.InvariantCulture);
        var version = Convert.ToInt64(Scalar(connection, "PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
        if (applicationId == ApplicationId)
        {
            if (version > SchemaVersion)
                throw new SessionException($"The session was written by a newer version (schema {version}, this build reads up to {SchemaVersion}).");
            return;
        }
        var tables = Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM sqlite_schema"), System.Globalization.CultureInfo.InvariantCulture);
        if (tables != 0) throw new SessionException("The file is a SQLite database but not a proxy-mcp session.");

        using var transaction = connection.BeginTransaction();
        Execute(connection, Schema, transaction);
        Execute(connection, CreateExchangeIndexes, transaction);
        CreateSearchTables(connection, transaction);
        Execute(connection, $"PRAGMA application_id={ApplicationId}; PRAGMA user_version={SchemaVersion};", transaction);
        transaction.Commit();
    }

    /// <summary>The full-text tables, also dropped and recreated by recovery.</summary>
    internal static void CreateSearchTables(SqliteConnection connection, SqliteTransaction? transaction)
    {
        // unicode61 folds case and diacritics; body search re-checks every candidate against the decoded text,
        // so folding only widens the candidate set, never changes the answer.
        Execute(connection, """
            CREATE VIRTUAL TABLE IF NOT EXISTS text_index USING fts5(
                url, request_headers, response_headers, request_body, response_body,
                content='', columnsize=0, detail=column, tokenize='unicode61 remove_diacritics 2');
            CREATE VIRTUAL TABLE IF NOT EXISTS locator_index USING fts5(locator, content='', columnsize=0, detail=none, tokenize='trigram');
            """, transaction);
    }

    /// <summary>
    /// The secondary indexes of <c>exchanges</c>. A HAR import drops them while it inserts and builds them afterwards
    /// (one sort each instead of a million random B-tree inserts); recovery recreates any that are missing.
    /// </summary>
    internal const string CreateExchangeIndexes = """
        CREATE INDEX IF NOT EXISTS exchanges_time ON exchanges(timestamp);
        CREATE INDEX IF NOT EXISTS exchanges_id ON exchanges(exchange_id);
        CREATE INDEX IF NOT EXISTS exchanges_method ON exchanges(method, timestamp);
        CREATE INDEX IF NOT EXISTS exchanges_status ON exchanges(status_code, timestamp);
        CREATE INDEX IF NOT EXISTS exchanges_host ON exchanges(hostname, method, timestamp);
        """;

    internal const string DropExchangeIndexes = """
        DROP INDEX IF EXISTS exchanges_time; DROP INDEX IF EXISTS exchanges_id; DROP INDEX IF EXISTS exchanges_method;
        DROP INDEX IF EXISTS exchanges_status; DROP INDEX IF EXISTS exchanges_host;
        """;

    private const string Schema = """
        CREATE TABLE session(
            id TEXT NOT NULL,
            name TEXT,
            capture_profile TEXT NOT NULL,
            storage_dir TEXT NOT NULL,
            max_disk_mb REAL NOT NULL,
            created_at INTEGER NOT NULL,
            started_at INTEGER NOT NULL,
            ended_at INTEGER,
            status TEXT NOT NULL,
            recovery_state TEXT NOT NULL,
            exchange_count INTEGER NOT NULL DEFAULT 0,
            last_sequence INTEGER NOT NULL DEFAULT 0,
            dropped_writes INTEGER NOT NULL DEFAULT 0,
            bytes_written INTEGER NOT NULL DEFAULT 0,
            last_flush_at INTEGER,
            last_error TEXT,
            origin TEXT NOT NULL DEFAULT 'proxy');

        CREATE TABLE exchanges(
            seq INTEGER PRIMARY KEY,
            exchange_id TEXT NOT NULL,
            timestamp INTEGER NOT NULL,
            method TEXT NOT NULL,
            hostname TEXT NOT NULL,
            path TEXT NOT NULL,
            url TEXT NOT NULL,
            status_code INTEGER,
            duration REAL,
            request_body_size INTEGER NOT NULL,
            response_body_size INTEGER,
            response_content_type TEXT,
            matched_rule_id TEXT,
            ja3 TEXT,
            ja4 TEXT,
            ja3s TEXT,
            has_request_body INTEGER NOT NULL DEFAULT 0,
            has_response_body INTEGER NOT NULL DEFAULT 0,
            source TEXT);

        CREATE TABLE details(
            seq INTEGER PRIMARY KEY,
            http_version TEXT NOT NULL,
            request_headers TEXT NOT NULL,
            request_preview TEXT NOT NULL,
            status_message TEXT,
            response_headers TEXT,
            response_preview TEXT,
            tls TEXT,
            error_kind TEXT,
            error_message TEXT,
            request_sent_ms REAL,
            response_headers_ms REAL,
            response_done_ms REAL,
            websocket INTEGER NOT NULL DEFAULT 0,
            client_endpoint TEXT);

        CREATE TABLE bodies(
            id INTEGER PRIMARY KEY,
            data BLOB NOT NULL,
            truncated INTEGER NOT NULL DEFAULT 0,
            decoded INTEGER NOT NULL DEFAULT 0);

        CREATE TABLE hosts(hostname TEXT PRIMARY KEY) WITHOUT ROWID;

        CREATE TABLE unindexed(seq INTEGER PRIMARY KEY);
        """;
}
