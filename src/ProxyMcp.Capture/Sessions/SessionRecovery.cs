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
        // Recovery rebuilds the full-text index itself.
        store.Indexing.Stop(path);
        SessionStore.ReleasePooledConnections(path);
        store.Locators.Forget(path);
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

                // An import killed before its last row has no secondary indexes yet.
                SessionDatabase.Execute(connection, SessionDatabase.CreateExchangeIndexes);
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
            // A query during the rebuild may have started loading rows that salvage since renumbered.
            store.Locators.Forget(path);
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

        long done = 0;
        SearchIndexer.IndexStored(connection, transaction, "1", _ =>
        {
            if (++done % 10_000 == 0) progress?.Report(new SessionProgress(done, total, "Rebuilding the search indexes"));
        }, cancellationToken);
        SessionDatabase.Execute(connection, "DELETE FROM unindexed", transaction);
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
        using (var source = new SqliteConnection(SessionDatabase.ConnectionString(path, readOnly: true)))
        {
            source.Open();
            using var transaction = target.BeginTransaction();
            Copy(source, target, transaction, "SELECT * FROM session LIMIT 1", "session", null);
            long max = 0;
            foreach (var sql in new[] { "SELECT max(seq) FROM exchanges", "SELECT last_sequence FROM session" })
            {
                try
                {
                    max = Math.Max(max, Convert.ToInt64(SessionDatabase.Scalar(source, sql) ?? 0L, System.Globalization.CultureInfo.InvariantCulture));
                }
                catch (SqliteException)
                {
                    // Unreadable: try the next source of the highest sequence number.
                }
            }
            for (long seq = 1; seq <= max; seq++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                transaction.Save("row");
                if (Copy(source, target, transaction, "SELECT * FROM exchanges WHERE seq = $seq", "exchanges", seq) == 1
                    && Copy(source, target, transaction, "SELECT * FROM details WHERE seq = $seq", "details", seq) == 1
                    && Copy(source, target, transaction, "SELECT * FROM bodies WHERE id IN ($seq * 2, $seq * 2 + 1)", "bodies", seq) >= 0)
                {
                    transaction.Release("row");
                }
                else
                {
                    transaction.Rollback("row");
                    transaction.Release("row");
                    if (Copy(source, null, null, "SELECT seq FROM exchanges WHERE seq = $seq", null, seq) != 0) lost++;
                }
            }
            transaction.Commit();
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

    /// <summary>
    /// Copies the rows a query over the damaged database returns into <paramref name="table"/> of the new one; returns
    /// how many, or -1 when they could not be read. Without a target it only counts (-1 again when unreadable).
    /// </summary>
    private static int Copy(SqliteConnection source, SqliteConnection? target, SqliteTransaction? transaction, string select, string? table, long? seq)
    {
        var rows = new List<object[]>();
        try
        {
            using var read = source.CreateCommand();
            read.CommandText = select;
            if (seq is { } s) read.Parameters.AddWithValue("$seq", s);
            using var reader = read.ExecuteReader();
            while (reader.Read())
            {
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                rows.Add(values);
            }
        }
        catch (SqliteException)
        {
            return -1;
        }
        if (target is null || table is null) return rows.Count;
        foreach (var values in rows)
        {
            using var insert = target.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"INSERT INTO {table} VALUES ({string.Join(", ", values.Select((_, i) => "$p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))})";
            for (var i = 0; i < values.Length; i++) insert.Parameters.AddWithValue("$p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), values[i]);
            insert.ExecuteNonQuery();
        }
        return rows.Count;
    }
}
