namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// proxy-mcp's SessionManifest (spec 6.2), same fields. The database's <c>session</c> row is the source of truth;
/// this record is read from it (or from the live writer for the recording session).
/// </summary>
public sealed record SessionManifest
{
    /// <summary>2: the SQLite layout (proxy-mcp's NDJSON layout is 1).</summary>
    public int SchemaVersion { get; init; } = SessionDatabase.SchemaVersion;
    public required string Id { get; init; }
    public string? Name { get; init; }
    public CaptureProfile CaptureProfile { get; init; }
    /// <summary>The storage root the session was created in (not the session's own folder).</summary>
    public required string StorageDir { get; init; }
    public double MaxDiskMb { get; init; }
    public long CreatedAt { get; init; }
    public long StartedAt { get; init; }
    public long? EndedAt { get; init; }
    /// <summary>"active" or "stopped".</summary>
    public required string Status { get; init; }
    /// <summary>"clean", "recovered" or "error".</summary>
    public required string RecoveryState { get; init; }
    public long ExchangeCount { get; init; }
    /// <summary>Bytes the session occupies on disk (database plus write-ahead log).</summary>
    public long BytesWritten { get; init; }
    public long DroppedWrites { get; init; }
    public long LastSequence { get; init; }
    public long? LastFlushAt { get; init; }
    public string? LastError { get; init; }

    /// <summary>True while this process records into the session.</summary>
    public bool IsActive => Status == SessionStatus.Active;

    /// <summary>Disk usage in MiB rounded to 2 decimals, as proxy_list_sessions reports it.</summary>
    public double DiskUsageMb => Math.Round(BytesWritten / (1024.0 * 1024.0), 2);
}

/// <summary>The values of <see cref="SessionManifest.Status"/> and <see cref="SessionManifest.RecoveryState"/>.</summary>
public static class SessionStatus
{
    public const string Active = "active";
    public const string Stopped = "stopped";

    public const string Clean = "clean";
    public const string Recovered = "recovered";
    public const string Error = "error";
}
