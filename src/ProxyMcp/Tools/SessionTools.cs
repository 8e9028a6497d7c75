using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Capture.Har;
using ProxyMcp.Capture.Replay;
using ProxyMcp.Capture.Serialization;
using ProxyMcp.Capture.Sessions;
using ProxyMcp.Proxy;
using ProxyMcp.Results;

namespace ProxyMcp.Tools;

/// <summary>
/// The 14 persistent-session tools (spec 5.10) over the SQLite session store. Same names, parameters and result
/// fields as proxy-mcp; the deliberate differences: an unknown or malformed session id is an error (the original
/// answered with empty results, or deleted whatever path it was given), nothing is capped at 5,000 rows except a page,
/// and long operations report MCP progress when the client sent a progress token.
/// </summary>
[McpServerToolType]
public sealed class SessionTools(ProxyRuntime runtime)
{
    private const int MaxPage = 5000;
    private const string UnavailableReason =
        "HAR imports and replays carry no TLS fingerprints; JA3/JA4 are recorded only for live captures through the proxy.";

    private SessionStore Store => runtime.Sessions.Store;
    private SessionRecorder Recorder => runtime.Sessions.Recorder;

    [McpServerTool(Name = "proxy_session_start")]
    [Description("Start recording proxied traffic to an on-disk session (SQLite). Profile 'preview' keeps 4 KB body previews, 'full' also keeps complete raw bodies.")]
    public async Task<CallToolResult> StartAsync(
        [Description("A name for the session.")] string? session_name = null,
        [Description("preview (default) or full.")] [AllowedValues("preview", "full")] string? capture_profile = "preview",
        [Description("Storage root for sessions from now on (absolute, or relative to the server's working directory); created if missing.")]
        string? storage_dir = null,
        [Description("Disk cap in MB (default 1024); when reached, recording stops and the proxy keeps running.")] double max_disk_mb = SessionStartOptions.DefaultMaxDiskMb,
        CancellationToken cancellationToken = default)
    {
        if (!runtime.IsRunning) throw new McpException("Proxy is not running. Start it first with proxy_start.");
        if (Recorder.ActiveManifest is { } active)
        {
            var note = ToolResult.Success();
            note["note"] = $"Session '{active.Id}' is already active (started by proxy_start). Stop it first to start a new one.";
            note["session"] = SessionJson.Manifest(active);
            return ToolResult.Ok(note);
        }
        var manifest = await Recorder.StartAsync(StartOptions(session_name, capture_profile, storage_dir, max_disk_mb), cancellationToken);
        var result = ToolResult.Success();
        result["session"] = SessionJson.Manifest(manifest);
        return ToolResult.Ok(result);
    }

    /// <summary>The session options of proxy_session_start and proxy_start, validated.</summary>
    internal static SessionStartOptions StartOptions(string? name, string? profile, string? storageDir, double maxDiskMb)
    {
        if (double.IsNaN(maxDiskMb) || double.IsInfinity(maxDiskMb) || maxDiskMb <= 0)
            throw new McpException($"max_disk_mb must be a positive number of megabytes (got {maxDiskMb.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        return new SessionStartOptions
        {
            Name = ToolArguments.OptionalText(name),
            Profile = CaptureProfiles.Parse(ToolArguments.OptionalChoice(profile, "capture_profile", "preview", "full")),
            StorageDir = ToolArguments.OptionalText(storageDir),
            MaxDiskMb = maxDiskMb,
        };
    }

    [McpServerTool(Name = "proxy_session_stop")]
    [Description("Stop recording: waits for queued writes, then finalises the session. session is null when none was active.")]
    public async Task<CallToolResult> StopAsync(CancellationToken cancellationToken = default)
    {
        var manifest = await Recorder.StopAsync(cancellationToken);
        var result = ToolResult.Success();
        result["session"] = manifest is null ? null : SessionJson.Manifest(manifest);
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_session_status", ReadOnly = true)]
    [Description("The recording session's live counters (bytes, dropped writes, queue, index backlog), or the idle defaults.")]
    public CallToolResult Status()
    {
        var result = ToolResult.Success();
        foreach (var (key, value) in SessionJson.RuntimeStatus(Recorder.Status())) result[key] = value?.DeepClone();
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_list_sessions", ReadOnly = true)]
    [Description("Stored sessions under the current storage root, newest first, with their disk usage.")]
    public CallToolResult List()
    {
        var sessions = Store.List();
        var items = new JsonArray();
        foreach (var manifest in sessions) items.Add(SessionJson.Manifest(manifest, withDiskUsage: true));
        var result = ToolResult.Success();
        result["count"] = sessions.Count;
        result["sessions"] = items;
        return ToolResult.Ok(result, new CapPage("sessions", 0, sessions.Count));
    }

    [McpServerTool(Name = "proxy_get_session", ReadOnly = true)]
    [Description("One session's manifest (live counters for the recording session), and indexBacklog: exchanges not yet in the body-search index.")]
    public CallToolResult Get([Description("Session id from proxy_list_sessions.")] string session_id)
    {
        var id = Id(session_id);
        var result = ToolResult.Success();
        result["session"] = SessionJson.Manifest(Store.Get(id));
        // Ours: how many exchanges body search cannot yet find through the index (a big import builds it in the background).
        result["indexBacklog"] = Store.IndexBacklog(id);
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_import_har")]
    [Description("Import a HAR file (any size, streamed) into a new stopped session with full bodies. With strict, the first invalid entry aborts and nothing is kept.")]
    public async Task<CallToolResult> ImportHarAsync(
        [Description("Path of the HAR file, a non-empty regular file (absolute, or relative to the server's working directory).")] string har_file,
        [Description("Session name (default har-import-<file name>).")] string? session_name = null,
        [Description("Storage root for sessions from now on.")] string? storage_dir = null,
        [Description("Disk cap in MB (default 1024).")] double max_disk_mb = SessionStartOptions.DefaultMaxDiskMb,
        [Description("Abort on the first invalid entry, keeping nothing (default false: skip it with a warning).")] bool strict = false,
        RequestContext<CallToolRequestParams>? context = null,
        CancellationToken cancellationToken = default)
    {
        await using var progress = ProgressPump.For(context);
        var options = new HarImportOptions
        {
            HarFile = ToolArguments.RequiredText(har_file, "har_file"),
            SessionName = ToolArguments.OptionalText(session_name),
            StorageDir = ToolArguments.OptionalText(storage_dir),
            MaxDiskMb = StartOptions(null, null, null, max_disk_mb).MaxDiskMb,
            Strict = strict,
        };
        var imported = await HarImport.RunAsync(Store, options, progress, cancellationToken);
        var summary = imported.Summary;
        var result = ToolResult.Success();
        result["session"] = SessionJson.Manifest(imported.Manifest);
        result["importSummary"] = new JsonObject
        {
            ["sourceFile"] = summary.SourceFile,
            ["totalEntries"] = summary.TotalEntries,
            ["importedEntries"] = summary.ImportedEntries,
            ["skippedEntries"] = summary.SkippedEntries,
            ["errorCount"] = summary.ErrorCount,
            ["firstTimestamp"] = summary.FirstTimestamp,
            ["lastTimestamp"] = summary.LastTimestamp,
            ["warnings"] = new JsonArray([.. summary.Warnings.Select(w => JsonValue.Create(w))]),
            ["indexBacklog"] = summary.IndexBacklog,
        };
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_query_session", ReadOnly = true)]
    [Description("Index entries (metadata, no bodies) of a stored session, filtered and sorted in SQL, with paging.")]
    public CallToolResult Query(
        [Description("Session id.")] string session_id,
        [Description("Page size, clamped to 1-5000 (default 50).")] double limit = 50,
        [Description("Entries to skip (after filtering).")] double offset = 0,
        [Description("By timestamp: desc (default, newest first) or asc.")] [AllowedValues("asc", "desc")] string? sort = "desc",
        [Description("Exact HTTP method.")] string? method = null,
        [Description("Case-insensitive substring of the hostname.")] string? hostname_contains = null,
        [Description("Case-insensitive substring of the URL.")] string? url_contains = null,
        [Description("Exact status code; entries without a response never match.")] double? status_code = null,
        [Description("Inclusive lower bound on the timestamp (epoch ms).")] double? from_ts = null,
        [Description("Inclusive upper bound on the timestamp (epoch ms).")] double? to_ts = null,
        [Description("Case-insensitive substring of URL, hostname, path, exchange id or matched rule id.")] string? text = null)
    {
        var pageSize = ToolArguments.Clamped(limit, "limit", 1, MaxPage);
        var skip = ToolArguments.Clamped(offset, "offset", 0, int.MaxValue);
        var query = Filters(method, hostname_contains, url_contains, status_code, from_ts, to_ts, text, sort, descendingByDefault: true);
        using var reader = Store.Open(Id(session_id));
        var (total, items) = reader.Query(query, skip, pageSize);
        var array = new JsonArray();
        foreach (var entry in items) array.Add(SessionJson.IndexEntry(entry));
        var result = ToolResult.Success();
        result["total"] = total;
        result["limit"] = pageSize;
        result["offset"] = skip;
        result["items"] = array;
        return ToolResult.Ok(result, new CapPage("items", skip, (int)Math.Min(total, int.MaxValue)));
    }

    [McpServerTool(Name = "proxy_search_session_bodies", ReadOnly = true)]
    [Description("Find a text in stored bodies (full bodies decoded per Content-Encoding, else previews) using the full-text index; " +
                 "returns matching exchanges with up to 3 snippets each, the match in [brackets].")]
    public CallToolResult SearchBodies(
        [Description("Session id.")] string session_id,
        [Description("Text to find (plain substring).")] [MinLength(1)] string text,
        [Description("Pre-filter: hostname substring.")] string? hostname_contains = null,
        [Description("Pre-filter: URL substring.")] string? url_contains = null,
        [Description("Pre-filter: exact method.")] string? method = null,
        [Description("Pre-filter: exact status code.")] double? status_code = null,
        [Description("Pre-filter: substring of the response media type (entries without one pass).")] string? content_type_contains = null,
        [Description("Where to look: both (default), response, request; headers (URL and headers) or all are additions.")]
        [AllowedValues("response", "request", "both", "headers", "all")] string? search_in = "both",
        [Description("Match case exactly (default false).")] bool case_sensitive = false,
        [Description("Matching exchanges returned, clamped to 1-100 (default 10).")] double limit = 10,
        [Description("Matches to skip, oldest first (an addition: follow next_offset of a capped result); skipped matches count in scanned.")]
        double offset = 0,
        [Description("Records read at most, oldest first, clamped to 1-5000 (default 200); a single word may also read up to as many " +
                     "full-text index hits after them (indexScanned).")] double max_scan = 200,
        [Description("Characters of context each side, clamped to 20-500 (default 120).")] double context_chars = 120)
    {
        var needle = text ?? "";
        if (needle.Length == 0) throw new McpException("text must not be empty");
        var scope = ToolArguments.OptionalChoice(search_in, "search_in", "response", "request", "both", "headers", "all") switch
        {
            "response" => SearchScope.Response,
            "request" => SearchScope.Request,
            "headers" => SearchScope.Headers,
            "all" => SearchScope.All,
            _ => SearchScope.Both,
        };
        var options = new BodySearchOptions
        {
            Text = needle,
            Filter = Filters(method, hostname_contains, url_contains, status_code, null, null, null, null, descendingByDefault: false)
                with { ContentTypeContains = ToolArguments.OptionalText(content_type_contains) },
            Scope = scope,
            CaseSensitive = case_sensitive,
            Limit = ToolArguments.Clamped(limit, "limit", 1, 100),
            Offset = ToolArguments.Clamped(offset, "offset", 0, MaxPage),
            MaxScan = ToolArguments.Clamped(max_scan, "max_scan", 1, MaxPage),
            ContextChars = ToolArguments.Clamped(context_chars, "context_chars", 20, 500),
        };
        using var reader = Store.Open(Id(session_id));
        var found = BodySearch.Run(reader, options);
        var matches = new JsonArray();
        foreach (var match in found.Matches)
        {
            matches.Add(new JsonObject
            {
                ["exchangeId"] = match.ExchangeId,
                ["seq"] = match.Seq,
                ["url"] = match.Url,
                ["method"] = match.Method,
                ["statusCode"] = match.StatusCode,
                ["contentType"] = match.ContentType,
                ["matchedIn"] = match.MatchedIn,
                ["source"] = match.Source,
                ["snippets"] = new JsonArray([.. match.Snippets.Select(s => (JsonNode)new JsonObject { ["position"] = s.Position, ["context"] = s.Context })]),
            });
        }
        var result = ToolResult.Success();
        result["query"] = found.Query;
        result["scanned"] = found.Scanned;
        result["skippedBinary"] = found.SkippedBinary;
        result["skippedNoBody"] = found.SkippedNoBody;
        result["totalMatches"] = found.Matches.Count;
        result["indexed"] = found.Indexed;
        result["indexBacklog"] = found.IndexBacklog;
        result["indexScanned"] = found.IndexScanned;
        result["matches"] = matches;
        // next_offset counts matches from the oldest, as offset does.
        return ToolResult.Ok(result, new CapPage("matches", options.Offset, options.Offset + found.Matches.Count, "totalMatches"));
    }

    [McpServerTool(Name = "proxy_get_session_handshakes", ReadOnly = true)]
    [Description("TLS fingerprints (JA3, JA4, JA3S) of a session's exchanges, with counts over every matching exchange.")]
    public CallToolResult Handshakes(
        [Description("Session id.")] string session_id,
        [Description("Page size, clamped to 1-5000 (default 200).")] double limit = 200,
        [Description("Entries to skip.")] double offset = 0,
        [Description("desc (default) or asc.")] [AllowedValues("asc", "desc")] string? sort = "desc",
        [Description("Case-insensitive substring of the hostname.")] string? hostname_contains = null,
        [Description("Case-insensitive substring of the URL.")] string? url_contains = null)
    {
        var pageSize = ToolArguments.Clamped(limit, "limit", 1, MaxPage);
        var skip = ToolArguments.Clamped(offset, "offset", 0, int.MaxValue);
        var id = Id(session_id);
        using var reader = Store.Open(id);
        var page = SessionStatistics.Handshakes(reader, Filters(null, hostname_contains, url_contains, null, null, null, null, sort, true), skip, pageSize);
        var items = new JsonArray();
        foreach (var entry in page.Items)
        {
            items.Add(new JsonObject
            {
                ["seq"] = entry.Seq,
                ["exchangeId"] = entry.ExchangeId,
                ["timestamp"] = entry.Timestamp,
                ["hostname"] = entry.Hostname,
                ["url"] = entry.Url,
                ["ja3"] = entry.Ja3,
                ["ja4"] = entry.Ja4,
                ["ja3s"] = entry.Ja3s,
                ["hasTls"] = entry.HasTls,
            });
        }
        var result = ToolResult.Success();
        result["sessionId"] = id;
        result["total"] = page.Total;
        result["withTlsMetadata"] = page.WithTlsMetadata;
        result["withoutTlsMetadata"] = page.WithoutTlsMetadata;
        result["unavailableReason"] = UnavailableReason;
        result["items"] = items;
        return ToolResult.Ok(result, new CapPage("items", skip, (int)Math.Min(page.Total, int.MaxValue)));
    }

    [McpServerTool(Name = "proxy_get_session_exchange", ReadOnly = true)]
    [Description("One stored exchange: its index entry and, with include_body, the full record with bodies decoded per Content-Encoding " +
                 "(text and base64), each cut at max_body_bytes.")]
    public CallToolResult GetExchange(
        [Description("Session id.")] string session_id,
        [Description("Sequence number (takes precedence over exchange_id).")] double? seq = null,
        [Description("Exchange id.")] string? exchange_id = null,
        [Description("Load the record and its bodies (default true).")] bool include_body = true,
        [Description("Decoded bytes returned per body (default 262144); the rest is cut and flagged.")] [Range(0, int.MaxValue)] double max_body_bytes = 262_144)
    {
        var id = Id(session_id);
        var maxBytes = ToolArguments.Integer(max_body_bytes, "max_body_bytes", 0, int.MaxValue);
        using var reader = Store.Open(id);
        SessionIndexEntry? entry;
        if (seq is { } s) entry = reader.FindBySeq(ToolArguments.Integer(s, "seq", 1, int.MaxValue));
        else if (ToolArguments.OptionalText(exchange_id) is { } exchangeId) entry = reader.FindById(exchangeId.Trim());
        else throw new McpException("Provide seq or exchange_id.");
        if (entry is null) throw new McpException($"Exchange not found in session '{id}'.");

        var result = ToolResult.Success();
        result["index"] = SessionJson.IndexEntry(entry);
        if (!include_body) return ToolResult.Ok(result);

        var stored = reader.GetExchange(entry.Seq)!;
        var record = new JsonObject { ["seq"] = entry.Seq, ["sessionId"] = id, ["exchange"] = ExchangeJson.ToNode(stored.Exchange) };
        AddBody(record, reader, stored, response: false, maxBytes);
        AddBody(record, reader, stored, response: true, maxBytes);
        result["record"] = record;
        // Not held under the 24,000-character cap (as in proxy-mcp), but bounded by max_body_bytes (weakness 19).
        return new CallToolResult { Content = [new TextContentBlock { Text = JsonText.Compact(result) }] };
    }

    private static void AddBody(JsonObject record, SessionReader reader, StoredExchange stored, bool response, int maxBytes)
    {
        var side = response ? "response" : "request";
        var body = reader.ReadDecodedBody(stored, response, maxBytes);
        if (body is not null)
        {
            record[side + "BodyBase64"] = Convert.ToBase64String(body.Bytes);
            if (!body.Complete) record[side + "BodyTruncated"] = true;
        }
        record[side + "BodyText"] = body is null ? null : Encoding.UTF8.GetString(body.Bytes);
    }

    [McpServerTool(Name = "proxy_replay_session")]
    [Description("Replay stored requests: dry_run (default) lists what would be sent; execute sends the complete stored bodies " +
                 "(exchanges whose body was not kept are skipped, never sent with a preview) and records the results in the session.")]
    public async Task<CallToolResult> ReplayAsync(
        [Description("Session id.")] string session_id,
        [Description("dry_run (default) or execute.")] [AllowedValues("dry_run", "execute")] string? mode = "dry_run",
        [Description("Selection page size, clamped to 1-5000 (default 100).")] double limit = 100,
        [Description("Entries to skip.")] double offset = 0,
        [Description("Selection (= replay) order: desc (default) or asc.")] [AllowedValues("asc", "desc")] string? sort = "desc",
        [Description("Exact HTTP method.")] string? method = null,
        [Description("Hostname substring.")] string? hostname_contains = null,
        [Description("URL substring.")] string? url_contains = null,
        [Description("Exact status code.")] double? status_code = null,
        [Description("Lower timestamp bound (epoch ms).")] double? from_ts = null,
        [Description("Upper timestamp bound (epoch ms).")] double? to_ts = null,
        [Description("Substring of URL, hostname, path, id or rule id.")] string? text = null,
        [Description("Explicit exchange ids, in this order (overrides the filters).")] string[]? exchange_ids = null,
        [Description("Send to this base instead (scheme, host, port; a path becomes a prefix).")] string? target_base_url = null,
        [Description("Per-request timeout in ms, body included (default 15000, minimum 1000).")] double timeout_ms = 15_000,
        [Description("Requests in flight at once, 1-32 (default 4).")] [Range(1, 32)] double concurrency = 4,
        [Description("Requests started per second at most (default: no limit).")] double? rate_per_sec = null,
        RequestContext<CallToolRequestParams>? context = null,
        CancellationToken cancellationToken = default)
    {
        await using var progress = ProgressPump.For(context);
        var execute = ToolArguments.OptionalChoice(mode, "mode", "dry_run", "execute") == "execute";
        if (rate_per_sec is { } rate && (double.IsNaN(rate) || rate <= 0)) throw new McpException("rate_per_sec must be a positive number");
        var options = new ReplayOptions
        {
            Execute = execute,
            Limit = ToolArguments.Clamped(limit, "limit", 1, MaxPage),
            Offset = ToolArguments.Clamped(offset, "offset", 0, int.MaxValue),
            Query = Filters(method, hostname_contains, url_contains, status_code, from_ts, to_ts, text, sort, descendingByDefault: true),
            ExchangeIds = exchange_ids is { Length: > 0 } ? exchange_ids : null,
            TargetBaseUrl = ToolArguments.OptionalText(target_base_url),
            TimeoutMs = (int)Math.Clamp(timeout_ms, 1000, int.MaxValue),
            Concurrency = ToolArguments.Integer(concurrency, "concurrency", 1, 32),
            RatePerSecond = rate_per_sec,
        };
        var id = Id(session_id);
        var replay = await runtime.Sessions.Replay.RunAsync(id, options, progress, cancellationToken);
        var items = new JsonArray();
        foreach (var item in replay.Items)
        {
            var plan = item.Plan;
            var json = new JsonObject
            {
                ["seq"] = plan.Seq,
                ["exchangeId"] = plan.ExchangeId,
                ["method"] = plan.Method,
                ["originalUrl"] = plan.OriginalUrl,
                ["targetUrl"] = plan.TargetUrl,
                ["hostname"] = plan.Hostname,
                ["hasRequestBody"] = plan.HasRequestBody,
            };
            if (plan.SkipReason is not null && item.Status is null) json["skipReason"] = plan.SkipReason;
            if (item.Status is not null)
            {
                json["status"] = item.Status;
                if (item.DurationMs is { } duration) json["durationMs"] = duration;
                if (item.ResponseStatus is { } status) json["responseStatus"] = status;
                if (item.ResponseSize is { } size) json["responseSize"] = size;
                if (item.ReplayExchangeId is not null) json["replayExchangeId"] = item.ReplayExchangeId;
                if (item.Error is not null) json[item.Status == "success" ? "warning" : "error"] = item.Error;
            }
            items.Add(json);
        }
        var result = ToolResult.Success();
        result["mode"] = replay.Mode;
        result["sessionId"] = replay.SessionId;
        result["selectedCount"] = replay.SelectedCount;
        result["executedCount"] = replay.ExecutedCount;
        result["successCount"] = replay.SuccessCount;
        result["errorCount"] = replay.ErrorCount;
        result["skippedCount"] = replay.SkippedCount;
        result["targetBaseUrl"] = replay.TargetBaseUrl;
        result["items"] = items;
        return ToolResult.Ok(result, new CapPage("items", 0, replay.Items.Count));
    }

    [McpServerTool(Name = "proxy_export_har")]
    [Description("Export a session (or the filtered part of it) as a HAR 1.2 file, streamed, with every matching exchange.")]
    public async Task<CallToolResult> ExportHarAsync(
        [Description("Session id.")] string session_id,
        [Description("Target file ending in .har or .json (default <session>/har/export-<epoch ms>.har); parent folders are created, an existing file is replaced.")] string? output_file = null,
        [Description("Export stored complete bodies (default true).")] bool include_bodies = true,
        [Description("Exact HTTP method.")] string? method = null,
        [Description("Hostname substring.")] string? hostname_contains = null,
        [Description("URL substring.")] string? url_contains = null,
        [Description("Exact status code.")] double? status_code = null,
        [Description("Lower timestamp bound (epoch ms).")] double? from_ts = null,
        [Description("Upper timestamp bound (epoch ms).")] double? to_ts = null,
        [Description("Substring of URL, hostname, path, id or rule id.")] string? text = null,
        [Description("Entry order: asc (default) or desc.")] [AllowedValues("asc", "desc")] string? sort = "asc",
        RequestContext<CallToolRequestParams>? context = null,
        CancellationToken cancellationToken = default)
    {
        await using var progress = ProgressPump.For(context);
        var id = Id(session_id);
        var output = ToolArguments.OptionalText(output_file)
            ?? Path.Combine(Store.DirectoryOf(id), SessionDatabase.HarFolder, $"export-{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}.har");
        using var reader = Store.Open(id);
        var entries = await HarExport.WriteAsync(reader, new HarExportOptions
        {
            OutputFile = output,
            IncludeBodies = include_bodies,
            Query = Filters(method, hostname_contains, url_contains, status_code, from_ts, to_ts, text, sort, descendingByDefault: false),
            CreatorVersion = ProxyMcpServer.Version,
        }, progress, cancellationToken);
        var result = ToolResult.Success();
        result["sessionId"] = id;
        result["outputFile"] = Path.GetFullPath(output);
        result["entries"] = entries;
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_delete_session", Destructive = true)]
    [Description("Delete a stored session's folder. Only a valid id of an existing session under the storage root is accepted; the recording session cannot be deleted.")]
    public CallToolResult Delete([Description("Session id.")] string session_id)
    {
        var id = Id(session_id);
        Store.Delete(id);
        var result = ToolResult.Success();
        result["deleted"] = id;
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "proxy_session_recover")]
    [Description("Check sessions (one, or every stored one except the recording session): integrity check, index repair or salvage of readable " +
                 "rows, rebuild of the search indexes, and an interrupted session marked stopped.")]
    public async Task<CallToolResult> RecoverAsync(
        [Description("Session id (default: every stored session).")] string? session_id = null,
        RequestContext<CallToolRequestParams>? context = null,
        CancellationToken cancellationToken = default)
    {
        await using var progress = ProgressPump.For(context);
        var id = ToolArguments.OptionalText(session_id) is { } text ? Id(text) : null;
        var reports = await Task.Run(() => SessionRecovery.Recover(Store, id, progress, cancellationToken), cancellationToken);
        var recovered = new JsonArray();
        foreach (var report in reports)
        {
            recovered.Add(new JsonObject
            {
                ["sessionId"] = report.SessionId,
                ["exchanges"] = report.Exchanges,
                ["droppedTailBytes"] = report.DroppedTailBytes,
                ["integrity"] = report.Integrity,
                ["wasInterrupted"] = report.WasInterrupted,
                ["rowsLost"] = report.RowsLost,
                ["note"] = report.Note,
            });
        }
        var result = ToolResult.Success();
        result["recovered"] = recovered;
        return ToolResult.Ok(result, new CapPage("recovered", 0, reports.Count));
    }

    /// <summary>A well-formed session id (the shape is checked before anything touches a path).</summary>
    private static string Id(string? sessionId) => SessionId.Validate(ToolArguments.RequiredText(sessionId, "session_id").Trim());

    private static SessionQuery Filters(string? method, string? hostname, string? url, double? status, double? from, double? to, string? text, string? sort,
        bool descendingByDefault) => new()
    {
        Method = ToolArguments.OptionalMethod(method, "method"),
        HostnameContains = ToolArguments.OptionalText(hostname),
        UrlContains = ToolArguments.OptionalText(url),
        StatusCode = ToolArguments.OptionalInteger(status, "status_code", 0, 999),
        FromTs = from is { } f ? (long)f : null,
        ToTs = to is { } t ? (long)t : null,
        Text = ToolArguments.OptionalText(text),
        Descending = (ToolArguments.OptionalChoice(sort, "sort", "asc", "desc") ?? (descendingByDefault ? "desc" : "asc")) == "desc",
    };
}
