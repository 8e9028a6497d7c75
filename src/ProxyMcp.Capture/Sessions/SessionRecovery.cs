using Microsoft.Data.Sqlite;

namespace ProxyMcp.Capture.Sessions;

/// <summary>What recovery found and did for one session.</summary>
/// <param name="Exchanges">Exchanges in the session afterwards.</param>
/// <param name="DroppedTailBytes">proxy-mcp's field; SQLite discards an incomplete commit by itself, so always 0 here.</param>
/// <param name="Integrity">"ok", "repaired" (indexes rebuilt fixed it), "salvaged" (readable rows copied to a new file) or "skipped".</param>
/// <param name="WasInterrupted">The session was still marked active with nobody recording (the recorder was killed).</param>
/// <param name="RowsLost">Exchanges that could not be read back during a salvage.</param>
public sealed record RecoveryReport(string SessionId, long Exchanges, long DroppedTailBytes, string Integrity, bool WasInterrupted, long RowsLost,
    string? Note);

/// <summary>
/// proxy_session_recover: checks a session's database (<c>PRAGMA integrity_check</c>), rebuilds the B-tree indexes
/// when they are damaged, and salvages every readable exchange into a fresh file when the damage is in the tables
/// themselves (the damaged file is kept beside it). Then it rebuilds both full-text indexes and the host list from
/// the stored rows, recounts, and marks an interrupted session stopped. The recording session is never touched
/// (the original rewrote it under the writer's feet, weakness 39).
/// </summary>
public static class SessionRecovery
{
    public static IReadOnlyList<RecoveryReport> Recover(SessionStore store, string? sessionId, IProgress<SessionProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (sessionId is not null)
        {
            store.RequireExisting(sessionId);
            if (store.ActiveSessionId == sessionId) throw new SessionException("Cannot recover the active session. Stop it first.");
            return [RecoverOne(store, sessionId, progress, cancellationToken)];
        }
        var reports = new List<RecoveryReport>();
        foreach (var id in store.Ids())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (store.ActiveSessionId == id)
            {
                reports.Add(new RecoveryReport(id, store.Get(id).ExchangeCount, 0, "skipped", false, 0, "Skipped: this session is recording."));
                continue;
            }
            try
            {
                reports.Add(RecoverOne(store, id, progress, cancellationToken));
            }
            catch (SessionException ex)
            {
                reports.Add(new RecoveryReport(id, 0, 0, "skipped", false, 0, ex.Message));
            }
        }
        return reports;
    }

    private static RecoveryReport RecoverOne(SessionStore store, string sessionId, IProgress<SessionProgress>? progress, CancellationToken cancellationToken)
    {
        var directory = store.RequireExisting(sessionId);
        if (SessionFiles.IsLockedElsewhere(directory)) throw new SessionException($"Session '{sessionId}' is being recorded by another process.");
        var path = Path.Combine(directory, SessionDatabase.FileName);
        SessionStore.ReleasePooledConnections(path);
        var lockStream = SessionFiles.AcquireLock(directory);
        try
        {
            string integrity;
            long rowsLost = 0;
            SqliteConnection connection;
            try
            {
                connection = SessionDatabase.OpenWrite(path);
            }
            catch (SqliteException ex)
            {
                throw new SessionException($"Session '{sessionId}' cannot be opened as a database ({ex.Message}); nothing can be recovered from it.", ex);
            }
            try
            {
                if (IntegrityOk(connection))
                {
                    integrity = "ok";
                }
                else
                {
                    SessionDatabase.Execute(connection, "REINDEX");
                    if (IntegrityOk(connection))
                    {
                        integrity = "repaired";
                    }
                    else
                    {
                        connection.Dispose();
                        rowsLost = Salvage(store, directory, path, cancellationToken);
                        connection = SessionDatabase.OpenWrite(path);
                        integrity = "salvaged";
                    }
                }

                var before = SessionStore.ReadManifest(connection) ?? throw new SessionException($"Session '{sessionId}' has no session record.");
                var interrupted = before.Status == SessionStatus.Active;
                RebuildSearch(connection, progress, cancellationToken);

                var count = Convert.ToInt64(SessionDatabase.Scalar(connection, "SELECT count(*) FROM exchanges"), System.Globalization.CultureInfo.InvariantCulture);
                var last = Convert.ToInt64(SessionDatabase.Scalar(connection, "SELECT coalesce(max(seq), 0) FROM exchanges"), System.Globalization.CultureInfo.InvariantCulture);
                var repaired = interrupted || integrity != "ok";
                string? message = null;
                if (interrupted) message = $"Recovered after an interrupted recording: {count} exchanges kept.";
                if (integrity == "repaired") message = (message is null ? "" : message + " ") + "Damaged indexes were rebuilt.";
                if (integrity == "salvaged") message = (message is null ? "" : message + " ") + $"The database was damaged: {count} exchanges salvaged, {rowsLost} lost (the damaged file is kept as session.db.damaged-*).";
                using (var update = connection.CreateCommand())
                {
                    update.CommandText = """
                        UPDATE session SET exchange_count=$count, last_sequence=$last, recovery_state=$state, last_error=$error,
                            status='stopped', ended_at=coalesce(ended_at, last_flush_at, started_at)
                        """;
                    update.Parameters.AddWithValue("$count", count);
                    update.Parameters.AddWithValue("$last", last);
                    update.Parameters.AddWithValue("$state", repaired ? SessionStatus.Recovered : SessionStatus.Clean);
                    update.Parameters.AddWithValue("$error", (object?)message ?? DBNull.Value);
                    update.ExecuteNonQuery();
                }
                // Finish keeps the end time set above; it checkpoints and refreshes manifest.json.
                var manifest = store.Finish(connection, directory, message, repaired ? SessionStatus.Recovered : SessionStatus.Clean, keepEndTime: true);
                return new RecoveryReport(sessionId, manifest.ExchangeCount, 0, integrity, interrupted, rowsLost, message);
            }
            finally
            {
                connection.Dispose();
            }
        }
        finally
        {
            SessionFiles.ReleaseLock(lockStream, directory);
        }
    }

    private static bool IntegrityOk(SqliteConnection connection)
    {
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check(20)";
            using var reader = command.ExecuteReader();
            return reader.Read() && reader.GetString(0) == "ok" && !reader.Read();
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    /// <summary>Drops and refills both full-text indexes and the host list from the stored rows and bodies.</summary>
    internal static void RebuildSearch(SqliteConnection connection, IProgress<SessionProgress>? progress, CancellationToken cancellationToken)
    {
        var total = Convert.ToInt64(SessionDatabase.Scalar(connection, "SELECT count(*) FROM exchanges"), System.Globalization.CultureInfo.InvariantCulture);
        using var transaction = connection.BeginTransaction();
        SessionDatabase.Execute(connection, "DROP TABLE IF EXISTS text_index; DROP TABLE IF EXISTS locator_index;", transaction);
        SessionDatabase.CreateSearchTables(connection, transaction);
        SessionDatabase.Execute(connection, "DELETE FROM hosts; INSERT OR IGNORE INTO hosts(hostname) SELECT DISTINCT hostname FROM exchanges;", transaction);

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
        rows.CommandText = """
            SELECT e.seq, e.url, e.exchange_id, e.matched_rule_id, e.status_code, d.request_headers, d.request_preview, d.response_headers,
                d.response_preview, (SELECT decoded FROM bodies WHERE id = e.seq * 2), (SELECT decoded FROM bodies WHERE id = e.seq * 2 + 1)
            FROM exchanges e JOIN details d ON d.seq = e.seq ORDER BY e.seq
            """;
        using var reader = rows.ExecuteReader();
        long done = 0;
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

            var t = text.Parameters;
            t[0].Value = seq;
            t[1].Value = url;
            t[2].Value = HeaderJson.Text(requestHeaders);
            t[3].Value = hasResponse ? HeaderJson.Text(responseHeaders) : DBNull.Value;
            t[4].Value = (object?)ExchangeRowWriter.IndexText(Body(9, SessionDatabase.RequestSide), !reader.IsDBNull(9) && reader.GetInt64(9) != 0,
                reader.GetString(6), requestHeaders) ?? DBNull.Value;
            t[5].Value = hasResponse
                ? (object?)ExchangeRowWriter.IndexText(Body(10, SessionDatabase.ResponseSide), !reader.IsDBNull(10) && reader.GetInt64(10) != 0,
                    SessionReader.NullableString(reader, 8), responseHeaders) ?? DBNull.Value
                : DBNull.Value;
            text.ExecuteNonQuery();
            locator.Parameters[0].Value = seq;
            locator.Parameters[1].Value = rule is null ? url + "\n" + id : url + "\n" + id + "\n" + rule;
            locator.ExecuteNonQuery();
            if (++done % 10_000 == 0) progress?.Report(new SessionProgress(done, total, "Rebuilding the search indexes"));
        }
        reader.Close();
        transaction.Commit();
        progress?.Report(new SessionProgress(done, total, "Search indexes rebuilt"));
    }

    /// <summary>
    /// Copies every row that can still be read, one exchange at a time, into a new database that replaces the damaged
    /// one (kept as <c>session.db.damaged-&lt;time&gt;</c>). Returns how many exchanges could not be read.
    /// </summary>
    private static long Salvage(SessionStore store, string directory, string path, CancellationToken cancellationToken)
    {
        var salvagePath = path + ".salvage";
        foreach (var stale in new[] { salvagePath, salvagePath + "-wal", salvagePath + "-shm" }) File.Delete(stale);
        long lost = 0;
        using (var target = SessionDatabase.OpenWrite(salvagePath))
        using (var source = new SqliteConnection(SessionDatabase.ConnectionString(path, readOnly: false)))
        {
            source.Open();
            SessionDatabase.Execute(target, "ATTACH DATABASE $path AS damaged".Replace("$path", "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'", StringComparison.Ordinal));
            using var transaction = target.BeginTransaction();
            TryExecute(target, transaction, "INSERT INTO session SELECT * FROM damaged.session LIMIT 1");
            long max = 0;
            try
            {
                max = Convert.ToInt64(SessionDatabase.Scalar(target, "SELECT max(last_sequence, coalesce((SELECT max(seq) FROM damaged.exchanges), 0)) FROM damaged.session", transaction),
                    System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (SqliteException)
            {
                max = Convert.ToInt64(SessionDatabase.Scalar(target, "SELECT coalesce(max(last_sequence), 0) FROM session", transaction) ?? 0L,
                    System.Globalization.CultureInfo.InvariantCulture);
            }
            for (long seq = 1; seq <= max; seq++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var s = seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
                transaction.Save("row");
                if (TryExecute(target, transaction, $"INSERT INTO exchanges SELECT * FROM damaged.exchanges WHERE seq = {s}") == 1
                    && TryExecute(target, transaction, $"INSERT INTO details SELECT * FROM damaged.details WHERE seq = {s}") == 1)
                {
                    TryExecute(target, transaction, $"INSERT INTO bodies SELECT * FROM damaged.bodies WHERE id IN ({s} * 2, {s} * 2 + 1)");
                    transaction.Release("row");
                }
                else
                {
                    transaction.Rollback("row");
                    transaction.Release("row");
                    lost++;
                }
            }
            transaction.Commit();
            SessionDatabase.Execute(target, "DETACH DATABASE damaged");
            SessionDatabase.Execute(target, "PRAGMA wal_checkpoint(TRUNCATE)");
        }
        SessionStore.ReleasePooledConnections(path);
        SessionStore.ReleasePooledConnections(salvagePath);
        var stamp = store.Time.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.Move(path, Path.Combine(directory, SessionDatabase.FileName + ".damaged-" + stamp));
        foreach (var suffix in new[] { "-wal", "-shm" })
        {
            if (File.Exists(path + suffix)) File.Delete(path + suffix);
        }
        File.Move(salvagePath, path);
        foreach (var suffix in new[] { "-wal", "-shm" })
        {
            if (File.Exists(salvagePath + suffix)) File.Delete(salvagePath + suffix);
        }
        return lost;
    }

    /// <summary>Rows changed, or -1 when the damaged source could not be read.</summary>
    private static int TryExecute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        try
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            return command.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            return -1;
        }
    }
}
