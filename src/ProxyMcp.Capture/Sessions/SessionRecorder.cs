using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// Starts, feeds and stops the one recording session of the process. <see cref="Record(Exchange)"/> is what the
/// engine's completion event calls: it only hands the exchange to the session's writer and never blocks.
/// While a <c>full</c> session records, the engine's complete-body capture is switched on through the callback
/// given at construction, spooling into the session's own folder.
/// </summary>
public sealed class SessionRecorder : IAsyncDisposable
{
    private readonly SessionStore _store;
    private readonly Action<BodyCapturePolicy?> _setBodyCapture;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <param name="store">Where sessions are kept.</param>
    /// <param name="setBodyCapture">Turns the engine's complete-body capture on (a policy) or off (null).</param>
    public SessionRecorder(SessionStore store, Action<BodyCapturePolicy?>? setBodyCapture = null)
    {
        _store = store;
        _setBodyCapture = setBodyCapture ?? (_ => { });
    }

    public SessionStore Store => _store;

    /// <summary>Exchanges the writer may hold queued before it drops (a knob for tests and benchmarks).</summary>
    internal int QueueCapacity { get; init; } = 100_000;

    /// <summary>The recording session's manifest with live counters, or null.</summary>
    public SessionManifest? ActiveManifest => _store.Active?.CurrentManifest();

    public async Task<SessionManifest> StartAsync(SessionStartOptions options, CancellationToken cancellationToken = default)
    {
        options.Validate();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_store.Active is { } running)
                throw new SessionException($"Session '{running.Manifest.Id}' is already active. Stop it first.");
            if (options.StorageDir is not null) _store.UseRoot(options.StorageDir);
            var (manifest, directory, connection) = _store.Create(options.Name, options.Profile, options.MaxDiskMb, origin: "proxy");
            FileStream? lockStream = null;
            try
            {
                lockStream = SessionFiles.AcquireLock(directory);
                var databasePath = Path.Combine(directory, SessionDatabase.FileName);
                var writer = new SessionWriter(databasePath, connection, manifest, options.MaxDiskBytes, _store.Time, OnCapReached, QueueCapacity);
                _store.Active = new ActiveSession(manifest, directory, connection, writer, lockStream);
            }
            catch
            {
                SessionFiles.ReleaseLock(lockStream, directory);
                connection.Dispose();
                throw;
            }
            SessionFiles.WriteManifest(directory, manifest);
            if (options.Profile == CaptureProfile.Full)
                _setBodyCapture(new BodyCapturePolicy(Path.Combine(directory, SessionFiles.SpoolFolder)));
            return manifest;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops recording: waits for every queued exchange to be written, then finalises. Null when none was active.</summary>
    public async Task<SessionManifest?> StopAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_store.Active is not { } active) return null;
            _setBodyCapture(null);
            await active.Writer.CompleteAsync().ConfigureAwait(false);
            _store.Active = null;
            SessionManifest manifest;
            try
            {
                // Exchanges refused after the last commit (queue full, disk cap) are counted too.
                SessionDatabase.Execute(active.Connection,
                    "UPDATE session SET dropped_writes = " + active.Writer.Dropped.ToString(System.Globalization.CultureInfo.InvariantCulture));
                manifest = _store.Finish(active.Connection, active.Directory);
            }
            finally
            {
                active.Writer.Dispose();
                active.Connection.Dispose();
                SessionFiles.ReleaseLock(active.LockStream, active.Directory);
                TryDeleteDirectory(Path.Combine(active.Directory, SessionFiles.SpoolFolder));
            }
            return manifest;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Records one finished exchange into the active session, if any; never blocks. Takes ownership of the exchange's
    /// captured bodies: they are stored (full profile) and their spool files deleted, or just deleted.
    /// </summary>
    public void Record(Exchange exchange)
    {
        if (_store.Active is not { } active)
        {
            exchange.Bodies?.Dispose();
            return;
        }
        active.Writer.TryEnqueue(PendingExchange.FromLive(exchange, active.Manifest.CaptureProfile));
    }

    /// <summary>Records an exchange with explicit bodies (a replay) into the active session, if any.</summary>
    public bool Record(PendingExchange pending)
    {
        if (_store.Active is not { } active)
        {
            pending.ReleaseBodies();
            return false;
        }
        return active.Writer.TryEnqueue(pending);
    }

    public SessionRuntimeStatus Status()
    {
        if (_store.Active is not { } active) return new SessionRuntimeStatus { StorageDir = _store.Root };
        var state = active.Writer.State;
        return new SessionRuntimeStatus
        {
            Enabled = true,
            SessionId = active.Manifest.Id,
            CaptureProfile = active.Manifest.CaptureProfile,
            StorageDir = _store.Root,
            BytesWritten = state.BytesWritten,
            DroppedWrites = state.DroppedWrites,
            LastFlushAt = state.LastFlushAt,
            MaxDiskMb = active.Manifest.MaxDiskMb,
            RecoveryState = state.RecoveryState,
            LastError = state.LastError,
            ExchangeCount = state.ExchangeCount,
            QueuedWrites = state.Queued,
            IndexBacklog = state.IndexBacklog,
            Recording = state.Recording,
        };
    }

    /// <summary>The disk cap was hit: stop capturing complete bodies (nothing more will be stored anyway).</summary>
    private void OnCapReached()
    {
        _setBodyCapture(null);
        if (_store.Active is { } active) SessionFiles.WriteManifest(active.Directory, active.CurrentManifest());
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Stops a recording session cleanly on shutdown, so it is not left marked active (spec weakness 30).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
