using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// The <see cref="LocatorColumns"/> of big sessions, per database file, within one memory budget. A session is
/// loaded in the background the first time it is queried (that query, and any until the load ends, runs in SQL),
/// then kept current by reading only the rows stored since. Least recently used sessions make room for new ones; a
/// session not queried for <see cref="IdleLifetime"/> is dropped.
/// </summary>
internal sealed class LocatorCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    // Sessions whose columns did not fit (or could not be read): not retried on every query, only after Forget.
    private readonly ConcurrentDictionary<string, bool> _refused = new(StringComparer.Ordinal);
    private readonly Lock _timerGate = new();
    private Timer? _idleTimer;

    /// <summary>Memory all held sessions may use together (default 512 MiB).</summary>
    public long BudgetBytes { get; init; } = 512L << 20;

    /// <summary>Sessions with fewer rows are left to SQL, which is fast enough for them (default 20,000).</summary>
    public long MinRows { get; init; } = 20_000;

    public TimeSpan IdleLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Runs <paramref name="use"/> on the session's columns, brought up to date inside a read transaction that
    /// <paramref name="use"/> shares, so both see the same rows. Returns false when the session is not (yet) held.
    /// </summary>
    public bool TryUse<T>(string databasePath, SqliteConnection connection, Func<LocatorColumns, SqliteTransaction, T> use, out T? result)
    {
        result = default;
        if (!_entries.TryGetValue(databasePath, out var entry))
        {
            Warm(databasePath, connection);
            return false;
        }
        lock (entry.Gate)
        {
            if (entry.Columns is not { } columns) return false;
            entry.LastUsed = Environment.TickCount64;
            using var transaction = connection.BeginTransaction(deferred: true);
            if (!columns.CatchUp(connection, transaction, MaxBytesFor(entry)))
            {
                // Grown past the budget: let SQL answer from now on.
                Refuse(databasePath);
                return false;
            }
            result = use(columns, transaction);
            transaction.Commit();
            return result is not null;
        }
    }

    /// <summary>
    /// Starts loading a big session that is not held yet. Any query of a big session calls it, so the columns are
    /// usually ready by the time a substring filter comes rather than loading only when the first one arrives.
    /// </summary>
    public void Warm(string databasePath, SqliteConnection connection)
    {
        if (!_entries.ContainsKey(databasePath) && !_refused.ContainsKey(databasePath) && RowCount(connection) >= MinRows)
            StartLoading(databasePath);
    }

    /// <summary>Drops what is held for a database (deleted, recovered or rewritten); a later query may load it again.</summary>
    public void Forget(string databasePath)
    {
        _refused.TryRemove(databasePath, out _);
        Drop(databasePath);
    }

    private void Drop(string databasePath)
    {
        if (_entries.TryRemove(databasePath, out var entry)) entry.Cancel.Cancel();
    }

    /// <summary>Drops a session that does not fit or cannot be read, and keeps it out until it is forgotten.</summary>
    private void Refuse(string databasePath)
    {
        _refused[databasePath] = true;
        Drop(databasePath);
    }

    /// <summary>Starts loading a session unless it is held or loading; for tests, the task that completes when it is.</summary>
    internal Task StartLoading(string databasePath)
    {
        var entry = new Entry();
        if (!_entries.TryAdd(databasePath, entry)) return _entries.TryGetValue(databasePath, out var existing) ? existing.Loading : Task.CompletedTask;
        entry.Loading = Task.Run(() => Load(databasePath, entry));
        EnsureIdleTimer();
        return entry.Loading;
    }

    internal bool Holds(string databasePath) => _entries.TryGetValue(databasePath, out var entry) && entry.Columns is not null;

    /// <summary>True from the start of a load until what it read is held or given up.</summary>
    internal bool IsLoading(string databasePath) => _entries.TryGetValue(databasePath, out var entry) && !entry.Loading.IsCompleted;

    internal bool IsRefused(string databasePath) => _refused.ContainsKey(databasePath);

    private void Load(string databasePath, Entry entry)
    {
        var columns = new LocatorColumns();
        try
        {
            using var connection = SessionDatabase.OpenRead(databasePath, pooled: false);
            MakeRoom(RowCount(connection) * 128, databasePath);
            using var transaction = connection.BeginTransaction(deferred: true);
            if (!columns.CatchUp(connection, transaction, MaxBytesFor(entry), entry.Cancel.Token))
            {
                Refuse(databasePath);
                return;
            }
        }
        catch (OperationCanceledException)
        {
            // Forgotten while loading (deleted, recovered, idle): nothing to keep.
            Drop(databasePath);
            return;
        }
        catch (Exception)
        {
            // A damaged or vanished file: SQL answers, with its own error if there is one; recovery forgets the refusal.
            Refuse(databasePath);
            return;
        }
        columns.TrimExcess();
        lock (entry.Gate)
        {
            entry.Columns = columns;
            entry.LastUsed = Environment.TickCount64;
        }
    }

    /// <summary>What one session may hold: the budget less what the others hold.</summary>
    private long MaxBytesFor(Entry entry)
    {
        long others = 0;
        foreach (var other in _entries.Values)
        {
            if (!ReferenceEquals(other, entry) && other.Columns is { } columns) others += columns.SizeBytes;
        }
        return BudgetBytes - others;
    }

    /// <summary>Drops least recently used sessions until <paramref name="bytes"/> fit in the budget.</summary>
    private void MakeRoom(long bytes, string except)
    {
        var held = _entries.Where(pair => pair.Key != except && pair.Value.Columns is not null)
            .OrderBy(pair => pair.Value.LastUsed).ToList();
        var used = held.Sum(pair => pair.Value.Columns!.SizeBytes);
        foreach (var (path, _) in held)
        {
            if (used + bytes <= BudgetBytes) break;
            if (_entries.TryGetValue(path, out var entry) && entry.Columns is { } columns) used -= columns.SizeBytes;
            Drop(path);
        }
    }

    private void EnsureIdleTimer()
    {
        lock (_timerGate)
        {
            _idleTimer ??= new Timer(_ => DropIdle(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }
    }

    private void DropIdle()
    {
        var cutoff = Environment.TickCount64 - (long)IdleLifetime.TotalMilliseconds;
        foreach (var (path, entry) in _entries)
        {
            if (entry.Columns is not null && entry.LastUsed < cutoff) Drop(path);
        }
        lock (_timerGate)
        {
            if (!_entries.IsEmpty || _idleTimer is null) return;
            _idleTimer.Dispose();
            _idleTimer = null;
        }
    }

    private static long RowCount(SqliteConnection connection) =>
        Convert.ToInt64(SessionDatabase.Scalar(connection, "SELECT exchange_count FROM session") ?? 0L, System.Globalization.CultureInfo.InvariantCulture);

    private sealed class Entry
    {
        public readonly Lock Gate = new();
        public readonly CancellationTokenSource Cancel = new();
        public Task Loading = Task.CompletedTask;
        public volatile LocatorColumns? Columns;
        public long LastUsed = Environment.TickCount64;
    }
}
