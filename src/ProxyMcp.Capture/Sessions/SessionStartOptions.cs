namespace ProxyMcp.Capture.Sessions;

/// <summary>The arguments of proxy_session_start (and of proxy_start with persistence).</summary>
public sealed record SessionStartOptions
{
    public const double DefaultMaxDiskMb = 1024;

    public string? Name { get; init; }
    public CaptureProfile Profile { get; init; } = CaptureProfile.Preview;
    /// <summary>A new storage root (sticky), or null to keep the current one.</summary>
    public string? StorageDir { get; init; }
    public double MaxDiskMb { get; init; } = DefaultMaxDiskMb;

    internal long MaxDiskBytes => (long)Math.Min(MaxDiskMb * 1024 * 1024, long.MaxValue / 2);

    internal void Validate()
    {
        if (double.IsNaN(MaxDiskMb) || double.IsInfinity(MaxDiskMb) || MaxDiskMb <= 0)
            throw new SessionException($"max_disk_mb must be a positive number of megabytes (got {MaxDiskMb.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
    }
}
