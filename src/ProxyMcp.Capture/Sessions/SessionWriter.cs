using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// The one background writer of a recording session. The proxy hands exchanges over with <see cref="TryEnqueue"/>,
/// which never blocks: a bounded channel (by count, and by bytes of bodies held in memory) takes them, and when it
/// is full the exchange is counted in <c>droppedWrites</c> instead of slowing the proxy. A dedicated thread drains
/// the channel into transactions of up to <see cref="MaxBatch"/> exchanges, committing at least every
/// <see cref="CommitInterval"/> — so a killed process loses at most that window plus what was still queued —
/// and at most that often, so a trickle of traffic does not cost one commit per exchange.
/// <para>
/// Full-text indexing is the most expensive part of storing an exchange (tokenising headers and decoded bodies).
/// When the queue holds more than a batch — the writer is falling behind — rows are committed without their index
/// entries and listed in <c>unindexed</c>; whenever the queue is empty the writer catches up in small slices.
/// Recording therefore keeps pace with bursts at the speed of plain row inserts, nothing is dropped for the sake of
/// the index, and search reads the not-yet-indexed rows directly until they are indexed.
/// </para>
/// </summary>
internal sealed class SessionWriter : IDisposable
{
    public const int MaxBatch = 2000;
    private const int CatchUpSlice = 500;
    public static readonly TimeSpan CommitInterval = TimeSpan.FromMilliseconds(100);

    private readonly Channel<PendingExchange> _channel;
    private readonly SqliteConnection _connection;
    private readonly ExchangeRowWriter _rows;
    private readonly SqliteCommand _updateSession;
    private readonly string _databasePath;
    private readonly long _maxDiskBytes;
    private readonly long _maxQueuedBodyBytes;
    private readonly TimeProvider _time;
    private readonly Action _capReached;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _completing = new(false);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _stateLock = new();

    private long _queuedBodyBytes;
    private long _unindexed;
    private long _queued;
    private long _dropped;
    private volatile bool _accepting = true;
    private volatile bool _capHit;

    // Published state, read by status calls from other threads under _stateLock.
    private long _exchangeCount;
    private long _lastSequence;
    private long _bytesWritten;
    private long? _lastFlushAt;
    private string? _lastError;
    private string _recoveryState;

    public SessionWriter(string databasePath, SqliteConnection connection, SessionManifest manifest, long maxDiskBytes, TimeProvider time, Action capReached,
        int queueCapacity = 100_000, long maxQueuedBodyBytes = 512L * 1024 * 1024)
    {
        SessionId = manifest.Id;
        Profile = manifest.CaptureProfile;
        _connection = connection;
        _databasePath = databasePath;
        _maxDiskBytes = maxDiskBytes;
        _maxQueuedBodyBytes = maxQueuedBodyBytes;
        _time = time;
        _capReached = capReached;
        _exchangeCount = manifest.ExchangeCount;
        _lastSequence = manifest.LastSequence;
        _dropped = manifest.DroppedWrites;
        _bytesWritten = manifest.BytesWritten;
        _recoveryState = manifest.RecoveryState;
        _lastError = manifest.LastError;
        _lastFlushAt = manifest.LastFlushAt;
        _channel = Channel.CreateBounded<PendingExchange>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: a full channel refuses instead of waiting
        });
        _rows = new ExchangeRowWriter(_connection);
        _unindexed = SessionDatabase.UnindexedCount(connection);
        _updateSession = _connection.CreateCommand();
        _updateSession.CommandText = """
            UPDATE session SET exchange_count=$count, last_sequence=$last, dropped_writes=$dropped, bytes_written=$bytes,
                last_flush_at=$flush, last_error=$error, recovery_state=$state
            """;
        foreach (var name in new[] { "$count", "$last", "$dropped", "$bytes", "$flush", "$error", "$state" })
            _updateSession.Parameters.Add(new SqliteParameter { ParameterName = name });
        _thread = new Thread(Run) { IsBackground = true, Name = $"session-writer {manifest.Id}" };
        _thread.Start();
    }

    public string SessionId { get; }
    public CaptureProfile Profile { get; }
    public bool Recording => _accepting && !_capHit;
    public long Queued => Interlocked.Read(ref _queued);
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Hands an exchange over without ever blocking; false when it was dropped (and counted).</summary>
    public bool TryEnqueue(PendingExchange pending)
    {
        if (!_accepting)
        {
            pending.ReleaseBodies();
            return false;
        }
        if (_capHit) return Drop(pending);
        var bodyBytes = (pending.RequestBody?.Length ?? 0) + (pending.ResponseBody?.Length ?? 0);
        if (Interlocked.Add(ref _queuedBodyBytes, bodyBytes) > _maxQueuedBodyBytes && bodyBytes > 0)
        {
            Interlocked.Add(ref _queuedBodyBytes, -bodyBytes);
            return Drop(pending);
        }
        Interlocked.Increment(ref _queued);
        if (_channel.Writer.TryWrite(pending)) return true;
        Interlocked.Decrement(ref _queued);
        Interlocked.Add(ref _queuedBodyBytes, -bodyBytes);
        return _accepting ? Drop(pending) : Release(pending);
    }

    private bool Drop(PendingExchange pending)
    {
        Interlocked.Increment(ref _dropped);
        return Release(pending);
    }

    private static bool Release(PendingExchange pending)
    {
        pending.ReleaseBodies();
        return false;
    }

    /// <summary>Stops accepting, writes everything still queued, and returns once the last commit is done.</summary>
    public Task CompleteAsync()
    {
        _accepting = false;
        _channel.Writer.TryComplete();
        _completing.Set();
        return _finished.Task;
    }

    public WriterState State
    {
        get
        {
            lock (_stateLock)
            {
                return new WriterState(_exchangeCount, _lastSequence, Dropped, _bytesWritten, _lastFlushAt, _lastError,
                    _recoveryState, Queued, Recording, Interlocked.Read(ref _unindexed));
            }
        }
    }

    private void Run()
    {
        var batch = new List<PendingExchange>(MaxBatch);
        var reader = _channel.Reader;
        var lastCommit = _time.GetTimestamp();
        try
        {
            while (true)
            {
                if (!reader.TryPeek(out _))
                {
                    // Idle: catch up on deferred indexing, one slice at a time so new traffic never waits long.
                    if (Interlocked.Read(ref _unindexed) > 0)
                    {
                        CatchUp(CatchUpSlice);
                        continue;
                    }
                    if (!WaitToRead(reader)) break;
                }
                // Coalesce: under a trickle, wait out the rest of the commit interval so one commit carries many exchanges.
                var remaining = CommitInterval - _time.GetElapsedTime(lastCommit);
                if (remaining > TimeSpan.Zero && reader.Count < MaxBatch && !_completing.IsSet) _completing.Wait(remaining);
                while (batch.Count < MaxBatch && reader.TryRead(out var item)) batch.Add(item);
                if (batch.Count == 0) continue;
                // Behind by more than a batch: store now, index later.
                WriteBatch(batch, index: reader.Count < MaxBatch);
                lastCommit = _time.GetTimestamp();
                foreach (var item in batch)
                {
                    item.ReleaseBodies();
                    Interlocked.Add(ref _queuedBodyBytes, -((item.RequestBody?.Length ?? 0) + (item.ResponseBody?.Length ?? 0)));
                }
                Interlocked.Add(ref _queued, -batch.Count);
                batch.Clear();
            }
            while (Interlocked.Read(ref _unindexed) > 0 && CatchUp(10 * CatchUpSlice) > 0) { }
            _finished.TrySetResult();
        }
        catch (Exception ex)
        {
            // Unreachable in practice (WriteBatch handles its own failures); never leave Stop waiting forever.
            lock (_stateLock)
            {
                _lastError = "Session writer failed: " + ex.Message;
                _recoveryState = SessionStatus.Error;
            }
            while (reader.TryRead(out var left))
            {
                Interlocked.Increment(ref _dropped);
                left.ReleaseBodies();
            }
            _finished.TrySetResult();
        }
    }

    /// <summary>Indexes up to <paramref name="slice"/> deferred exchanges in one transaction; returns how many.</summary>
    private long CatchUp(int slice)
    {
        try
        {
            var indexed = SearchIndexer.IndexDeferredSlice(_connection, slice);
            var left = SessionDatabase.UnindexedCount(_connection);
            Interlocked.Exchange(ref _unindexed, left);
            return indexed;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or InvalidOperationException)
        {
            // The rows stay stored and listed as unindexed; search still reads them, recovery rebuilds the index.
            lock (_stateLock) _lastError = "Indexing stored exchanges failed: " + ex.Message;
            Interlocked.Exchange(ref _unindexed, 0);
            return 0;
        }
    }

    private static bool WaitToRead(ChannelReader<PendingExchange> reader)
    {
        var wait = reader.WaitToReadAsync();
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private void WriteBatch(List<PendingExchange> batch, bool index)
    {
        var usage = SessionFiles.DiskUsage(_databasePath);
        var keepBodies = Profile == CaptureProfile.Full;
        long stored = 0, lastSequence = _lastSequence, droppedHere = 0, deferred = 0;
        string? error = null;
        var capReachedNow = false;
        long capNeeded = 0;
        SqliteTransaction? transaction = null;
        try
        {
            transaction = _connection.BeginTransaction();
            foreach (var pending in batch)
            {
                if (_capHit)
                {
                    droppedHere++;
                    continue;
                }
                var estimate = pending.EstimatedBytes;
                if (usage + estimate > _maxDiskBytes)
                {
                    _capHit = true;
                    capReachedNow = true;
                    capNeeded = estimate;
                    droppedHere++;
                    continue;
                }
                transaction.Save("x");
                try
                {
                    lastSequence = _rows.Insert(transaction, pending, keepBodies, index);
                    transaction.Release("x");
                    stored++;
                    if (!index) deferred++;
                    usage += estimate;
                }
                catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
                {
                    transaction.Rollback("x");
                    transaction.Release("x");
                    _rows.ForgetHostsAfterRollback();
                    droppedHere++;
                    error = $"Could not store exchange {pending.Exchange.Id}: {ex.Message}";
                }
            }

            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            string state, lastError;
            lock (_stateLock)
            {
                // Reaching the cap is an error state as in proxy-mcp (spec 6.3): what follows is dropped, not stored.
                state = error is null && !capReachedNow ? _recoveryState : SessionStatus.Error;
                lastError = error ?? (capReachedNow ? CapMessage(usage, capNeeded) : _lastError) ?? "";
            }
            var u = _updateSession.Parameters;
            u[0].Value = _exchangeCount + stored;
            u[1].Value = lastSequence;
            u[2].Value = Dropped + droppedHere;
            u[3].Value = usage;
            u[4].Value = now;
            u[5].Value = lastError.Length == 0 ? DBNull.Value : lastError;
            u[6].Value = state;
            _updateSession.Transaction = transaction;
            _updateSession.ExecuteNonQuery();
            transaction.Commit();

            var measured = SessionFiles.DiskUsage(_databasePath);
            Interlocked.Add(ref _dropped, droppedHere);
            Interlocked.Add(ref _unindexed, deferred);
            lock (_stateLock)
            {
                _exchangeCount += stored;
                _lastSequence = lastSequence;
                _bytesWritten = measured;
                _lastFlushAt = now;
                _recoveryState = state;
                _lastError = lastError.Length == 0 ? null : lastError;
            }
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // The whole batch is lost (disk full, I/O error): say so, keep going with the next one.
            try { transaction?.Rollback(); } catch (SqliteException) { } catch (InvalidOperationException) { }
            _rows.ForgetHostsAfterRollback();
            Interlocked.Add(ref _dropped, batch.Count);
            lock (_stateLock)
            {
                _lastError = $"Writing {batch.Count} exchanges failed: {ex.Message}";
                _recoveryState = SessionStatus.Error;
            }
        }
        finally
        {
            transaction?.Dispose();
        }
        if (capReachedNow) _capReached();
    }

    private string CapMessage(long usage, long needed) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Session disk cap reached ({Megabytes(_maxDiskBytes)} MB cap, {Megabytes(usage)} MB used, the next exchange needed {Megabytes(needed)} MB): ")
        + "recording stopped, the proxy keeps running. Stop this session and start a new one (with a larger max_disk_mb) to record again.";

    private static string Megabytes(long bytes) => (bytes / (1024.0 * 1024)).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _rows.Dispose();
        _updateSession.Dispose();
        _completing.Dispose();
    }
}

/// <summary>A consistent snapshot of the writer's counters.</summary>
internal sealed record WriterState(long ExchangeCount, long LastSequence, long DroppedWrites, long BytesWritten, long? LastFlushAt,
    string? LastError, string RecoveryState, long Queued, bool Recording, long IndexBacklog);
