using Microsoft.Data.Sqlite;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// The stored sessions under one storage root: listing, reading, deleting. The root defaults to
/// <c>&lt;data dir&gt;/sessions</c>; a <c>storage_dir</c> argument replaces it for the rest of the process, as in
/// proxy-mcp (spec 6.1) — the current root is reported in every manifest and status so the switch is visible.
/// Every session id is checked against <see cref="SessionId"/>'s shape before it touches a path.
/// </summary>
public sealed class SessionStore
{
    private volatile string _root;
    private volatile ActiveSession? _active;

    public SessionStore(string defaultRoot, TimeProvider? time = null)
    {
        _root = Path.GetFullPath(defaultRoot);
        Time = time ?? TimeProvider.System;
    }

    /// <summary>The current storage root (absolute).</summary>
    public string Root => _root;

    public TimeProvider Time { get; }

    /// <summary>In-memory URL/locator columns of big sessions, for fast substring filters.</summary>
    internal LocatorCache Locators { get; init; } = new();

    /// <summary>Finishes the full-text index of stopped sessions (big imports, interrupted catch-ups) in the background.</summary>
    internal BackgroundIndexer Indexing { get; init; } = new();

    internal ActiveSession? Active
    {
        get => _active;
        set => _active = value;
    }

    /// <summary>The id of the session this process records into, if any.</summary>
    public string? ActiveSessionId => _active?.Manifest.Id;

    /// <summary>
    /// Makes <paramref name="storageDir"/> (absolute, or relative to the working directory) the root from now on,
    /// creating it when missing; returns the absolute path.
    /// </summary>
    public string UseRoot(string storageDir)
    {
        if (string.IsNullOrWhiteSpace(storageDir)) throw new SessionException("storage_dir must not be empty.");
        string full;
        try
        {
            full = Path.GetFullPath(storageDir.Trim());
            Directory.CreateDirectory(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SessionException($"Cannot use storage_dir '{storageDir}': {ex.Message}", ex);
        }
        _root = Path.TrimEndingDirectorySeparator(full);
        return _root;
    }

    /// <summary>The folder a session with this id has (or would have) under the current root; the id is validated first.</summary>
    public string DirectoryOf(string sessionId)
    {
        SessionId.Validate(sessionId);
        var root = Path.TrimEndingDirectorySeparator(Root);
        var directory = Path.GetFullPath(Path.Combine(root, sessionId));
        // Belt and braces: the validated shape cannot contain separators or "..", and the result must sit directly in the root.
        if (!string.Equals(Path.GetDirectoryName(directory), root, StringComparison.Ordinal))
            throw new SessionException($"Invalid session id '{sessionId}'.");
        return directory;
    }

    /// <summary>The folder of an existing session, or a not-found error (proxy-mcp silently answered with nothing).</summary>
    public string RequireExisting(string sessionId)
    {
        var directory = DirectoryOf(sessionId);
        if (!File.Exists(Path.Combine(directory, SessionDatabase.FileName)))
            throw new SessionException($"Session '{sessionId}' not found in {Root}. proxy_list_sessions lists the stored sessions.");
        return directory;
    }

    /// <summary>Opens a session for reading; throws when the id is invalid or unknown.</summary>
    public SessionReader Open(string sessionId) => new(this, sessionId, RequireExisting(sessionId));

    public SessionManifest Get(string sessionId)
    {
        var directory = RequireExisting(sessionId);
        if (_active is { } active && active.Manifest.Id == sessionId) return active.CurrentManifest();
        return ReadManifest(directory) ?? throw new SessionException($"Session '{sessionId}' cannot be read (its database is damaged); try proxy_session_recover.");
    }

    /// <summary>
    /// Exchanges of the session not yet in its full-text index (a big import's background build, or a recording that fell
    /// behind); 0 once body search reads everything from the index.
    /// </summary>
    public long IndexBacklog(string sessionId)
    {
        var path = Path.Combine(RequireExisting(sessionId), SessionDatabase.FileName);
        using var connection = SessionDatabase.OpenRead(path);
        return SessionDatabase.UnindexedCount(connection);
    }

    /// <summary>Every readable session under the root, newest first (folders that are not sessions are skipped).</summary>
    public IReadOnlyList<SessionManifest> List()
    {
        var sessions = new List<SessionManifest>();
        if (!Directory.Exists(Root)) return sessions;
        foreach (var directory in Directory.EnumerateDirectories(Root))
        {
            var id = Path.GetFileName(directory);
            if (!SessionId.IsValid(id) || !File.Exists(Path.Combine(directory, SessionDatabase.FileName))) continue;
            if (_active is { } active && active.Manifest.Id == id)
            {
                sessions.Add(active.CurrentManifest());
                continue;
            }
            if (ReadManifest(directory) is { } manifest) sessions.Add(manifest);
        }
        sessions.Sort((a, b) => b.StartedAt.CompareTo(a.StartedAt));
        return sessions;
    }

    /// <summary>Ids of stored sessions starting with <paramref name="prefix"/> (resource-template completion).</summary>
    public IReadOnlyList<string> Ids(string? prefix = null)
    {
        if (!Directory.Exists(Root)) return [];
        return Directory.EnumerateDirectories(Root)
            .Select(Path.GetFileName)
            .Where(id => SessionId.IsValid(id) && (prefix is null || id.StartsWith(prefix, StringComparison.Ordinal))
                && File.Exists(Path.Combine(Root, id, SessionDatabase.FileName)))
            .Select(id => id!)
            .OrderDescending(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Deletes a stored session's folder. Only a well-formed id naming an existing session folder (not a link) directly
    /// under the root is deleted; the recording session and sessions another process records are refused.
    /// </summary>
    public void Delete(string sessionId)
    {
        var directory = RequireExisting(sessionId);
        if (_active is { } active && active.Manifest.Id == sessionId) throw new SessionException("Cannot delete the active session. Stop it first.");
        var info = new DirectoryInfo(directory);
        if (info.LinkTarget is not null) throw new SessionException($"Refusing to delete '{directory}': it is a link, not a session folder.");
        if (SessionFiles.IsLockedElsewhere(directory)) throw new SessionException($"Session '{sessionId}' is being recorded by another process.");
        Indexing.Stop(Path.Combine(directory, SessionDatabase.FileName));
        ReleasePooledConnections(Path.Combine(directory, SessionDatabase.FileName));
        Locators.Forget(Path.Combine(directory, SessionDatabase.FileName));
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SessionException($"Could not delete session '{sessionId}': {ex.Message}", ex);
        }
    }

    internal static void ReleasePooledConnections(string databasePath)
    {
        foreach (var readOnly in new[] { false, true })
        {
            using var connection = new SqliteConnection(SessionDatabase.ConnectionString(databasePath, readOnly));
            SqliteConnection.ClearPool(connection);
        }
    }

    /// <summary>
    /// Reads the manifest from the database. A session still marked active that nobody records (its recorder was
    /// killed) is shown as stopped with the reason in lastError until proxy_session_recover settles it on disk.
    /// </summary>
    internal SessionManifest? ReadManifest(string directory)
    {
        var path = Path.Combine(directory, SessionDatabase.FileName);
        try
        {
            using var connection = SessionDatabase.OpenRead(path, pooled: false);
            var manifest = ReadManifest(connection);
            if (manifest is null) return null;
            manifest = manifest with { BytesWritten = SessionFiles.DiskUsage(path) };
            if (manifest.Status == SessionStatus.Active && !SessionFiles.IsLockedElsewhere(directory))
            {
                manifest = manifest with
                {
                    Status = SessionStatus.Stopped,
                    EndedAt = manifest.LastFlushAt ?? manifest.StartedAt,
                    RecoveryState = SessionStatus.Error,
                    LastError = Convert.ToString(SessionDatabase.Scalar(connection, "SELECT origin FROM session"), System.Globalization.CultureInfo.InvariantCulture) == "har"
                        ? InterruptedImportMessage
                        : InterruptedMessage,
                };
            }
            return manifest;
        }
        catch (SqliteException)
        {
            return null;
        }
    }

    internal const string InterruptedMessage =
        "Recording was interrupted (the process ended without stopping the session); everything committed up to lastFlushAt is kept. "
        + "Run proxy_session_recover to check the session and mark it stopped.";

    internal const string InterruptedImportMessage =
        "The HAR import was interrupted (the process ended before it finished); the entries committed so far are kept. "
        + "Delete the session and import the file again, or run proxy_session_recover to keep what was imported.";

    internal static SessionManifest? ReadManifest(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT id, name, capture_profile, storage_dir, max_disk_mb, created_at, started_at, ended_at, status, recovery_state,
                exchange_count, bytes_written, dropped_writes, last_sequence, last_flush_at, last_error
            FROM session LIMIT 1
            """;
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        return new SessionManifest
        {
            Id = reader.GetString(0),
            Name = SessionReader.NullableString(reader, 1),
            CaptureProfile = CaptureProfiles.Parse(reader.GetString(2)),
            StorageDir = reader.GetString(3),
            MaxDiskMb = reader.GetDouble(4),
            CreatedAt = reader.GetInt64(5),
            StartedAt = reader.GetInt64(6),
            EndedAt = reader.IsDBNull(7) ? null : reader.GetInt64(7),
            Status = reader.GetString(8),
            RecoveryState = reader.GetString(9),
            ExchangeCount = reader.GetInt64(10),
            BytesWritten = reader.GetInt64(11),
            DroppedWrites = reader.GetInt64(12),
            LastSequence = reader.GetInt64(13),
            LastFlushAt = reader.IsDBNull(14) ? null : reader.GetInt64(14),
            LastError = SessionReader.NullableString(reader, 15),
        };
    }

    /// <summary>Creates a new session folder and database with its session row; returns the open write connection.</summary>
    internal (SessionManifest Manifest, string Directory, SqliteConnection Connection) Create(string? name, CaptureProfile profile, double maxDiskMb, string origin)
    {
        var now = Time.GetUtcNow();
        string id, directory;
        do
        {
            id = SessionId.New(now);
            directory = DirectoryOf(id);
        }
        while (Directory.Exists(directory));
        try
        {
            Directory.CreateDirectory(Path.Combine(directory, SessionDatabase.HarFolder));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SessionException($"Cannot create a session folder under the storage root '{Root}': {ex.Message} Choose another storage_dir.", ex);
        }
        var manifest = new SessionManifest
        {
            Id = id,
            Name = name,
            CaptureProfile = profile,
            StorageDir = Root,
            MaxDiskMb = maxDiskMb,
            CreatedAt = now.ToUnixTimeMilliseconds(),
            StartedAt = now.ToUnixTimeMilliseconds(),
            Status = SessionStatus.Active,
            RecoveryState = SessionStatus.Clean,
        };
        var connection = SessionDatabase.OpenWrite(Path.Combine(directory, SessionDatabase.FileName));
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO session(id, name, capture_profile, storage_dir, max_disk_mb, created_at, started_at, status, recovery_state, origin)
            VALUES ($id, $name, $profile, $root, $max, $created, $started, $status, $state, $origin)
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$name", (object?)name ?? DBNull.Value);
        command.Parameters.AddWithValue("$profile", profile.Name());
        command.Parameters.AddWithValue("$root", Root);
        command.Parameters.AddWithValue("$max", maxDiskMb);
        command.Parameters.AddWithValue("$created", manifest.CreatedAt);
        command.Parameters.AddWithValue("$started", manifest.StartedAt);
        command.Parameters.AddWithValue("$status", SessionStatus.Active);
        command.Parameters.AddWithValue("$state", SessionStatus.Clean);
        command.Parameters.AddWithValue("$origin", origin);
        command.ExecuteNonQuery();
        return (manifest, directory, connection);
    }

    /// <summary>Marks a session stopped in its database (and refreshes manifest.json); returns the final manifest.</summary>
    internal SessionManifest Finish(SqliteConnection connection, string directory, string? lastError = null, string? recoveryState = null,
        bool keepEndTime = false)
    {
        var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                UPDATE session SET status='stopped',
                    ended_at=CASE WHEN $keep THEN coalesce(ended_at, $now) ELSE $now END,
                    last_flush_at=CASE WHEN $keep THEN coalesce(last_flush_at, $now) ELSE $now END,
                    last_error=coalesce($error, last_error), recovery_state=coalesce($state, recovery_state)
                """;
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$keep", keepEndTime);
            command.Parameters.AddWithValue("$error", (object?)lastError ?? DBNull.Value);
            command.Parameters.AddWithValue("$state", (object?)recoveryState ?? DBNull.Value);
            command.ExecuteNonQuery();
        }
        // One file at rest: fold the WAL back into the database and truncate it.
        SessionDatabase.Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA optimize;");
        var path = Path.Combine(directory, SessionDatabase.FileName);
        using (var update = connection.CreateCommand())
        {
            update.CommandText = "UPDATE session SET bytes_written=$bytes";
            update.Parameters.AddWithValue("$bytes", SessionFiles.DiskUsage(path));
            update.ExecuteNonQuery();
        }
        var manifest = ReadManifest(connection)!;
        SessionFiles.WriteManifest(directory, manifest);
        return manifest;
    }

}
