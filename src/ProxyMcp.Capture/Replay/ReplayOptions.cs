using ProxyMcp.Capture.Sessions;

namespace ProxyMcp.Capture.Replay;

/// <summary>The arguments of proxy_replay_session.</summary>
public sealed record ReplayOptions
{
    /// <summary>False: plan only (dry run).</summary>
    public bool Execute { get; init; }
    public int Limit { get; init; } = 100;
    public int Offset { get; init; }
    /// <summary>Selection filters and order (newest first by default, as proxy-mcp); ignored when <see cref="ExchangeIds"/> is set.</summary>
    public SessionQuery Query { get; init; } = new();
    /// <summary>An explicit selection, in this order.</summary>
    public IReadOnlyList<string>? ExchangeIds { get; init; }
    /// <summary>Replaces scheme, host and port; a path in it becomes a prefix of the original path.</summary>
    public string? TargetBaseUrl { get; init; }
    public int TimeoutMs { get; init; } = 15_000;
    /// <summary>Requests in flight at once.</summary>
    public int Concurrency { get; init; } = 4;
    /// <summary>Requests started per second at most; null for no limit.</summary>
    public double? RatePerSecond { get; init; }
}

/// <summary>What would be (or was) sent for one stored exchange.</summary>
public sealed record ReplayPlanItem(long Seq, string ExchangeId, string Method, string OriginalUrl, string TargetUrl, string Hostname,
    bool HasRequestBody, string? SkipReason);

/// <summary>One replayed exchange: "success", "error" or "skipped" (its stored request body is incomplete).</summary>
public sealed record ReplayItemResult(ReplayPlanItem Plan, string? Status, double? DurationMs, int? ResponseStatus, long? ResponseSize,
    string? ReplayExchangeId, string? Error);

public sealed record ReplayResult(string Mode, string SessionId, int SelectedCount, int ExecutedCount, int SuccessCount, int ErrorCount,
    int SkippedCount, string? TargetBaseUrl, IReadOnlyList<ReplayItemResult> Items);
