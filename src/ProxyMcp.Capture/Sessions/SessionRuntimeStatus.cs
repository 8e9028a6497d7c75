namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// proxy-mcp's SessionRuntimeStatus (spec 6.8): the recording session's live counters, or the idle defaults,
/// plus what an agent needs to notice trouble early (queued writes, whether recording stopped at the disk cap).
/// </summary>
public sealed record SessionRuntimeStatus
{
    public bool Enabled { get; init; }
    public string? SessionId { get; init; }
    public CaptureProfile? CaptureProfile { get; init; }
    /// <summary>The current storage root.</summary>
    public required string StorageDir { get; init; }
    public long BytesWritten { get; init; }
    public long DroppedWrites { get; init; }
    public long? LastFlushAt { get; init; }
    public double? MaxDiskMb { get; init; }
    public string? RecoveryState { get; init; }
    public string? LastError { get; init; }

    /// <summary>Exchanges stored so far.</summary>
    public long ExchangeCount { get; init; }
    /// <summary>Exchanges received but not yet committed.</summary>
    public long QueuedWrites { get; init; }
    /// <summary>Exchanges stored but not yet in the full-text index (indexing is deferred while the writer is behind).</summary>
    public long IndexBacklog { get; init; }
    /// <summary>False once the disk cap was reached: the session stays active, the proxy keeps running, nothing more is stored.</summary>
    public bool Recording { get; init; }
}
