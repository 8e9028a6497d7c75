using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// Builds the full-text entries of stopped sessions' deferred exchanges (those listed in <c>unindexed</c>) on a
/// background thread, one slice per transaction: a big HAR import answers once its rows are stored, and a session
/// left with a backlog (its process ended mid-catch-up) finishes it the next time it is opened.
/// <para>
/// Queries and exports see every row meanwhile; body search reads the index plus up to <c>max_scan</c> unindexed
/// rows and reports the backlog. No recording lock is taken: each slice is an immediate SQLite transaction that
/// removes what it indexed from <c>unindexed</c>, so a replay appending rows, or another process doing the same,
/// only takes turns with it.
/// </para>
/// </summary>
internal sealed class BackgroundIndexer
{
    private readonly ConcurrentDictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _checked = new(StringComparer.Ordinal);

    /// <summary>Imports of at least this many entries return before their full-text index is complete.</summary>
    public int DeferAtRows { get; init; } = 20_000;

    /// <summary>Exchanges indexed per transaction.</summary>
    public int Slice { get; init; } = 20_000;

    /// <summary>Starts indexing the session's backlog unless a job already runs for it; the task ends with the job.</summary>
    public Task Start(string databasePath)
    {
        var job = new Job();
        if (!_jobs.TryAdd(databasePath, job)) return _jobs.TryGetValue(databasePath, out var running) ? running.Done : Task.CompletedTask;
        _checked[databasePath] = true;
        _ = Task.Factory.StartNew(() => Run(databasePath, job), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return job.Done;
    }

    /// <summary>
    /// Starts a job for a stopped session with a backlog, once per file and process (the first open after a restart);
    /// the recording session's own writer indexes its backlog itself.
    /// </summary>
    public void ResumeIfBehind(string databasePath, SqliteConnection connection)
    {
        if (!_checked.TryAdd(databasePath, true) || _jobs.ContainsKey(databasePath)) return;
        if (Convert.ToInt64(SessionDatabase.Scalar(connection, "SELECT EXISTS(SELECT 1 FROM unindexed)"), System.Globalization.CultureInfo.InvariantCulture) == 0)
            return;
        if (Convert.ToString(SessionDatabase.Scalar(connection, "SELECT status FROM session"), System.Globalization.CultureInfo.InvariantCulture) == SessionStatus.Active)
            return;
        Start(databasePath);
    }

    /// <summary>Stops the session's job, if any, and waits for it (before deleting or recovering the session).</summary>
    public void Stop(string databasePath)
    {
        _checked.TryRemove(databasePath, out _);
        if (!_jobs.TryGetValue(databasePath, out var job)) return;
        job.Cancel.Cancel();
        job.Done.Wait();
    }

    public bool IsRunning(string databasePath) => _jobs.ContainsKey(databasePath);

    /// <summary>Waits up to <paramref name="timeout"/> for the session's job, if any, to end; false when it still runs.</summary>
    public bool WaitFor(string databasePath, TimeSpan timeout) =>
        !_jobs.TryGetValue(databasePath, out var job) || job.Done.Wait(timeout);

    private void Run(string databasePath, Job job)
    {
        try
        {
            using var connection = SessionDatabase.OpenWrite(databasePath);
            while (!job.Cancel.IsCancellationRequested && SearchIndexer.IndexDeferredSlice(connection, Slice, job.Cancel.Token) > 0) { }
        }
        catch (OperationCanceledException)
        {
            // Stopped for a delete or a recovery: the slice rolled back, its rows stay listed as unindexed.
        }
        catch (Exception ex) when (ex is SqliteException or IOException or InvalidOperationException or SessionException)
        {
            // The rows stay stored and listed; search still reads them and proxy_session_recover rebuilds the index.
            RecordError(databasePath, "Indexing stored exchanges failed: " + ex.Message + " Run proxy_session_recover to rebuild the index.");
        }
        finally
        {
            _jobs.TryRemove(new KeyValuePair<string, Job>(databasePath, job));
            job.Finished.TrySetResult();
        }
    }

    /// <summary>Puts the failure in the session's lastError, where proxy_get_session shows it (best effort).</summary>
    private static void RecordError(string databasePath, string message)
    {
        try
        {
            using var connection = SessionDatabase.OpenWrite(databasePath);
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE session SET last_error = $error";
            command.Parameters.AddWithValue("$error", message);
            command.ExecuteNonQuery();
        }
        catch (Exception ex) when (ex is SqliteException or IOException or InvalidOperationException or SessionException)
        {
            // The database cannot be written at all: recovery reports that itself.
        }
    }

    private sealed class Job
    {
        public readonly CancellationTokenSource Cancel = new();
        public readonly TaskCompletionSource Finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task Done => Finished.Task;
    }
}
