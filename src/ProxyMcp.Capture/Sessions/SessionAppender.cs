using Microsoft.Data.Sqlite;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// Adds exchanges to a stored session that nobody records into (replay results of a stopped session), one short
/// transaction each, counters updated in the same transaction. Thread-safe.
/// </summary>
internal sealed class SessionAppender : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly ExchangeRowWriter _rows;
    private readonly string _databasePath;
    private readonly bool _keepBodies;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    private SessionAppender(SqliteConnection connection, string databasePath, bool keepBodies, TimeProvider time)
    {
        _connection = connection;
        _databasePath = databasePath;
        _keepBodies = keepBodies;
        _time = time;
        _rows = new ExchangeRowWriter(connection);
    }

    public static SessionAppender Open(SessionStore store, string sessionId)
    {
        var directory = store.RequireExisting(sessionId);
        if (SessionFiles.IsLockedElsewhere(directory)) throw new SessionException($"Session '{sessionId}' is being recorded by another process.");
        var path = Path.Combine(directory, SessionDatabase.FileName);
        var connection = SessionDatabase.OpenWrite(path);
        try
        {
            var manifest = SessionStore.ReadManifest(connection) ?? throw new SessionException($"Session '{sessionId}' has no session record.");
            return new SessionAppender(connection, path, manifest.CaptureProfile == CaptureProfile.Full, store.Time);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public long Append(PendingExchange pending)
    {
        try
        {
            lock (_lock)
            {
                using var transaction = _connection.BeginTransaction();
                long seq;
                try
                {
                    seq = _rows.Insert(transaction, pending, _keepBodies);
                }
                catch
                {
                    _rows.ForgetHostsAfterRollback();
                    throw;
                }
                using var update = _connection.CreateCommand();
                update.Transaction = transaction;
                update.CommandText = """
                    UPDATE session SET exchange_count = exchange_count + 1, last_sequence = max(last_sequence, $seq),
                        bytes_written = $bytes, last_flush_at = $now
                    """;
                update.Parameters.AddWithValue("$seq", seq);
                update.Parameters.AddWithValue("$bytes", SessionFiles.DiskUsage(_databasePath));
                update.Parameters.AddWithValue("$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
                update.ExecuteNonQuery();
                transaction.Commit();
                return seq;
            }
        }
        finally
        {
            pending.ReleaseBodies();
        }
    }

    public void Dispose()
    {
        _rows.Dispose();
        _connection.Dispose();
    }
}
