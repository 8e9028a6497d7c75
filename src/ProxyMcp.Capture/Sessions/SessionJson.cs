using System.Text.Json.Nodes;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// The JSON shapes of the session records, with proxy-mcp's field names and order (spec 6.2, 6.5, 6.8); shared by
/// the tools, the resources and manifest.json.
/// </summary>
public static class SessionJson
{
    public static JsonObject Manifest(SessionManifest manifest, bool withDiskUsage = false)
    {
        var json = new JsonObject
        {
            ["schemaVersion"] = manifest.SchemaVersion,
            ["id"] = manifest.Id,
            ["name"] = manifest.Name,
            ["captureProfile"] = manifest.CaptureProfile.Name(),
            ["storageDir"] = manifest.StorageDir,
            ["maxDiskMb"] = manifest.MaxDiskMb,
            ["createdAt"] = manifest.CreatedAt,
            ["startedAt"] = manifest.StartedAt,
            ["endedAt"] = manifest.EndedAt,
            ["status"] = manifest.Status,
            ["recoveryState"] = manifest.RecoveryState,
            ["exchangeCount"] = manifest.ExchangeCount,
            ["bytesWritten"] = manifest.BytesWritten,
            ["droppedWrites"] = manifest.DroppedWrites,
            ["lastSequence"] = manifest.LastSequence,
            ["lastFlushAt"] = manifest.LastFlushAt,
            ["lastError"] = manifest.LastError,
            ["files"] = new JsonObject { ["database"] = SessionDatabase.FileName, ["harDir"] = SessionDatabase.HarFolder },
        };
        if (withDiskUsage) json["diskUsageMb"] = manifest.DiskUsageMb;
        return json;
    }

    /// <summary>SessionRuntimeStatus fields (without a leading "status"), then our additions.</summary>
    public static JsonObject RuntimeStatus(SessionRuntimeStatus status) => new()
    {
        ["enabled"] = status.Enabled,
        ["sessionId"] = status.SessionId,
        ["captureProfile"] = status.CaptureProfile?.Name(),
        ["storageDir"] = status.StorageDir,
        ["bytesWritten"] = status.BytesWritten,
        ["droppedWrites"] = status.DroppedWrites,
        ["lastFlushAt"] = status.LastFlushAt,
        ["maxDiskMb"] = status.MaxDiskMb,
        ["recoveryState"] = status.RecoveryState,
        ["lastError"] = status.LastError,
        ["exchangeCount"] = status.ExchangeCount,
        ["queuedWrites"] = status.QueuedWrites,
        ["indexBacklog"] = status.IndexBacklog,
        ["recording"] = status.Recording,
    };

    public static JsonObject IndexEntry(SessionIndexEntry entry) => new()
    {
        ["seq"] = entry.Seq,
        ["exchangeId"] = entry.ExchangeId,
        ["timestamp"] = entry.Timestamp,
        ["method"] = entry.Method,
        ["hostname"] = entry.Hostname,
        ["path"] = entry.Path,
        ["url"] = entry.Url,
        ["statusCode"] = entry.StatusCode,
        ["duration"] = entry.Duration,
        ["requestBodySize"] = entry.RequestBodySize,
        ["responseBodySize"] = entry.ResponseBodySize,
        ["hasResponse"] = entry.HasResponse,
        ["hasFullRequestBody"] = entry.HasFullRequestBody,
        ["hasFullResponseBody"] = entry.HasFullResponseBody,
        ["matchedRuleId"] = entry.MatchedRuleId,
        ["ja3"] = entry.Ja3,
        ["ja4"] = entry.Ja4,
        ["ja3s"] = entry.Ja3s,
        ["responseContentType"] = entry.ResponseContentType,
        ["source"] = entry.Source,
    };
}
