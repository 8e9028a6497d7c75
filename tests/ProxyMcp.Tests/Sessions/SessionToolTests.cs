using System.Text;
using System.Text.Json;
using ModelContextProtocol;
using ProxyMcp.Tests.Support;

namespace ProxyMcp.Tests.Sessions;

/// <summary>The session tools end to end: real traffic through the proxy into a session, then every read tool.</summary>
public sealed class SessionToolTests
{
    private static async Task<ToolCall> WaitForSessionAsync(InMemoryServer server, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var status = (await server.CallAsync("proxy_session_status")).AssertSuccess();
            if (status["exchangeCount"].GetInt64() >= count || DateTime.UtcNow > deadline) return status;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Records_live_traffic_with_full_bodies_and_reads_it_back()
    {
        await using var server = await InMemoryServer.StartAsync();
        await using var origin = await TinyOrigin.StartAsync();
        var started = (await server.CallAsync("proxy_start", new { persistence_enabled = true, capture_profile = "full", session_name = "live" })).AssertSuccess();
        var persistence = started["persistence"];
        Assert.True(persistence.GetProperty("enabled").GetBoolean());
        Assert.Equal("full", persistence.GetProperty("captureProfile").GetString());
        var sessionId = persistence.GetProperty("sessionId").GetString()!;

        var again = (await server.CallAsync("proxy_session_start")).AssertSuccess();
        Assert.Contains("already active", again["note"].GetString());

        using var client = ProxiedClient.Through(started["port"].GetInt32());
        var bigBody = string.Concat(Enumerable.Repeat("0123456789", 1000)) + "END-OF-BODY";
        (await client.PostAsync(new Uri(origin.BaseUrl, "/submit?x=1"), new StringContent(bigBody, Encoding.UTF8, "text/plain"))).EnsureSuccessStatusCode();
        (await client.GetAsync(new Uri(origin.BaseUrl, "/hello"))).EnsureSuccessStatusCode();
        await WaitForSessionAsync(server, 2);

        var stopped = (await server.CallAsync("proxy_session_stop")).AssertSuccess();
        Assert.Equal("stopped", stopped["session"].GetProperty("status").GetString());
        Assert.Equal(2, stopped["session"].GetProperty("exchangeCount").GetInt64());
        Assert.Equal(JsonValueKind.Null, (await server.CallAsync("proxy_session_stop")).AssertSuccess()["session"].ValueKind);

        var list = (await server.CallAsync("proxy_list_sessions")).AssertSuccess();
        Assert.Equal(1, list["count"].GetInt32());
        Assert.True(list["sessions"][0].TryGetProperty("diskUsageMb", out _));

        var query = (await server.CallAsync("proxy_query_session", new { session_id = sessionId, method = "post" })).AssertSuccess();
        Assert.Equal(["status", "total", "limit", "offset", "items"], query.Json.EnumerateObject().Select(p => p.Name));
        var entry = Assert.Single(query["items"].EnumerateArray());
        Assert.Equal("/submit?x=1", entry.GetProperty("path").GetString());
        Assert.True(entry.GetProperty("hasFullRequestBody").GetBoolean());

        var search = (await server.CallAsync("proxy_search_session_bodies", new { session_id = sessionId, text = "END-OF-BODY", search_in = "request" })).AssertSuccess();
        Assert.Equal(1, search["totalMatches"].GetInt32());
        Assert.Equal(0, search["indexBacklog"].GetInt64());
        Assert.Contains("[END-OF-BODY]", search["matches"][0].GetProperty("snippets")[0].GetProperty("context").GetString());

        var exchange = (await server.CallAsync("proxy_get_session_exchange", new { session_id = sessionId, exchange_id = entry.GetProperty("exchangeId").GetString() })).AssertSuccess();
        var record = exchange["record"];
        Assert.Equal(bigBody, record.GetProperty("requestBodyText").GetString());
        Assert.Equal("POST /submit?x=1 " + bigBody, record.GetProperty("responseBodyText").GetString());
        Assert.Equal("POST", record.GetProperty("exchange").GetProperty("request").GetProperty("method").GetString());
        Assert.Equal("Provide seq or exchange_id.", (await server.CallAsync("proxy_get_session_exchange", new { session_id = sessionId })).AssertError());
        Assert.Equal($"Exchange not found in session '{sessionId}'.",
            (await server.CallAsync("proxy_get_session_exchange", new { session_id = sessionId, seq = 99 })).AssertError());

        var handshakes = (await server.CallAsync("proxy_get_session_handshakes", new { session_id = sessionId })).AssertSuccess();
        Assert.Equal(2, handshakes["total"].GetInt64());
        Assert.Equal(0, handshakes["withTlsMetadata"].GetInt64());

        var harFile = Path.Combine(server.DataDirectory, "out", "live.har");
        var export = (await server.CallAsync("proxy_export_har", new { session_id = sessionId, output_file = harFile })).AssertSuccess();
        Assert.Equal(2, export["entries"].GetInt64());
        Assert.Equal(harFile, export["outputFile"].GetString());
        var bystander = Path.Combine(server.DataDirectory, "out", "passwd");
        await File.WriteAllTextAsync(bystander, "root:x:0:0");
        Assert.StartsWith("output_file must end with .har or .json",
            (await server.CallAsync("proxy_export_har", new { session_id = sessionId, output_file = bystander })).AssertError());
        Assert.Equal("root:x:0:0", await File.ReadAllTextAsync(bystander));
        Assert.Contains("not a regular file", (await server.CallAsync("proxy_import_har", new { har_file = "/dev/stdin" })).AssertError());
        var defaultExport = (await server.CallAsync("proxy_export_har", new { session_id = sessionId })).AssertSuccess();
        Assert.StartsWith(Path.Combine(server.DataDirectory, "sessions", sessionId, "har", "export-"), defaultExport["outputFile"].GetString());

        var imported = (await server.CallAsync("proxy_import_har", new { har_file = harFile })).AssertSuccess();
        Assert.Equal(2, imported["importSummary"].GetProperty("importedEntries").GetInt64());
        // A small import is completely searchable when it returns.
        Assert.Equal(0, imported["importSummary"].GetProperty("indexBacklog").GetInt64());
        Assert.Equal("har-import-live", imported["session"].GetProperty("name").GetString());

        var replay = (await server.CallAsync("proxy_replay_session", new { session_id = sessionId, mode = "execute", sort = "asc" })).AssertSuccess();
        Assert.Equal(2, replay["successCount"].GetInt32());
        var got = (await server.CallAsync("proxy_get_session", new { session_id = sessionId })).AssertSuccess();
        Assert.Equal(4, got["session"].GetProperty("exchangeCount").GetInt64());
        Assert.Equal(0, got["indexBacklog"].GetInt64());

        var recovered = (await server.CallAsync("proxy_session_recover", new { session_id = sessionId })).AssertSuccess();
        Assert.Equal(4, recovered["recovered"][0].GetProperty("exchanges").GetInt64());

        var summary = await server.Client.ReadResourceAsync($"proxy://sessions/{sessionId}/summary", cancellationToken: TestTimeout.Token());
        var summaryText = Assert.IsType<ModelContextProtocol.Protocol.TextResourceContents>(Assert.Single(summary.Contents)).Text;
        using (var document = JsonDocument.Parse(summaryText))
        {
            Assert.Equal(4, document.RootElement.GetProperty("totals").GetProperty("exchanges").GetInt64());
            Assert.Contains("\n  \"manifest\"", summaryText);
        }
        var timeline = await server.Client.ReadResourceAsync($"proxy://sessions/{sessionId}/timeline", cancellationToken: TestTimeout.Token());
        Assert.Contains("\"bucketMs\": 60000", Assert.IsType<ModelContextProtocol.Protocol.TextResourceContents>(Assert.Single(timeline.Contents)).Text);
        var listed = await server.Client.ListResourcesAsync(cancellationToken: TestTimeout.Token());
        Assert.Contains(listed, r => r.Uri == $"proxy://sessions/{sessionId}/findings" && r.Name == $"Session Findings ({sessionId})");
        Assert.Contains(listed, r => r.Uri == "proxy://status");
        var completion = await server.Client.CompleteAsync(new ModelContextProtocol.Protocol.ResourceTemplateReference { Uri = "proxy://sessions/{session_id}/summary" },
            "session_id", sessionId[..10], cancellationToken: TestTimeout.Token());
        Assert.Contains(sessionId, completion.Completion.Values);
        var sessions = await server.Client.ReadResourceAsync("proxy://sessions", cancellationToken: TestTimeout.Token());
        Assert.Contains("\"count\": 2", Assert.IsType<ModelContextProtocol.Protocol.TextResourceContents>(Assert.Single(sessions.Contents)).Text);

        Assert.Equal(sessionId, (await server.CallAsync("proxy_delete_session", new { session_id = sessionId })).AssertSuccess()["deleted"].GetString());
        Assert.Contains("not found", (await server.CallAsync("proxy_get_session", new { session_id = sessionId })).AssertError());
        await server.CallAsync("proxy_stop");
    }

    [Fact]
    public async Task A_storage_root_that_cannot_hold_folders_leaves_the_proxy_running_and_says_why()
    {
        await using var server = await InMemoryServer.StartAsync();
        var file = Path.Combine(server.DataDirectory, "not-a-folder");
        await File.WriteAllTextAsync(file, "x");
        var underFile = (await server.CallAsync("proxy_start", new { persistence_enabled = true, storage_dir = Path.Combine(file, "sessions") })).AssertSuccess();
        Assert.StartsWith("Cannot use storage_dir", underFile["persistenceError"].GetString());
        Assert.True((await server.CallAsync("proxy_status")).AssertSuccess()["running"].GetBoolean());
        (await server.CallAsync("proxy_stop")).AssertSuccess();

        // A folder that exists but takes no new folders (procfs): this used to fail the whole call with a bare IOException.
        var procfs = (await server.CallAsync("proxy_start", new { persistence_enabled = true, storage_dir = "/proc/self" })).AssertSuccess();
        Assert.StartsWith("Cannot create a session folder under the storage root '/proc/self'", procfs["persistenceError"].GetString());
        Assert.True((await server.CallAsync("proxy_status")).AssertSuccess()["running"].GetBoolean());
    }

    [Fact]
    public async Task Proxy_stop_finalises_the_session_and_status_reports_it()
    {
        await using var server = await InMemoryServer.StartAsync();
        Assert.Equal("Proxy is not running. Start it first with proxy_start.", (await server.CallAsync("proxy_session_start")).AssertError());
        (await server.CallAsync("proxy_start")).AssertSuccess();
        var started = (await server.CallAsync("proxy_session_start", new { session_name = "s", max_disk_mb = 10 })).AssertSuccess();
        var id = started["session"].GetProperty("id").GetString()!;
        var status = (await server.CallAsync("proxy_status")).AssertSuccess();
        Assert.Equal(id, status["persistence"].GetProperty("sessionId").GetString());
        Assert.Equal(10, status["persistence"].GetProperty("maxDiskMb").GetDouble());
        Assert.Contains("Cannot delete the active session", (await server.CallAsync("proxy_delete_session", new { session_id = id })).AssertError());

        (await server.CallAsync("proxy_stop")).AssertSuccess();

        Assert.False((await server.CallAsync("proxy_session_status")).AssertSuccess()["enabled"].GetBoolean());
        Assert.Equal("stopped", (await server.CallAsync("proxy_get_session", new { session_id = id })).AssertSuccess()["session"].GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("/tmp")]
    [InlineData("20260101000000_abc/../..")]
    [InlineData("..")]
    public async Task Malformed_ids_are_rejected_before_touching_a_path(string id)
    {
        await using var server = await InMemoryServer.StartAsync();
        foreach (var tool in new[] { "proxy_delete_session", "proxy_get_session", "proxy_query_session", "proxy_export_har", "proxy_session_recover" })
        {
            Assert.StartsWith("Invalid session id", (await server.CallAsync(tool, new { session_id = id })).AssertError());
        }
        Assert.True(Directory.Exists(server.DataDirectory));
    }

    [Fact]
    public async Task Unknown_sessions_are_errors()
    {
        await using var server = await InMemoryServer.StartAsync();
        const string id = "20260101000000_zzzz";
        foreach (var tool in new[] { "proxy_get_session", "proxy_query_session", "proxy_get_session_handshakes", "proxy_export_har", "proxy_delete_session",
                     "proxy_replay_session", "proxy_session_recover" })
        {
            Assert.Contains("not found", (await server.CallAsync(tool, new { session_id = id })).AssertError());
        }
        Assert.Contains("not found", (await server.CallAsync("proxy_search_session_bodies", new { session_id = id, text = "x" })).AssertError());
        foreach (var resource in new[] { "summary", "timeline", "findings" })
        {
            var error = await Assert.ThrowsAsync<McpProtocolException>(() =>
                server.Client.ReadResourceAsync($"proxy://sessions/{id}/{resource}", cancellationToken: TestTimeout.Token()).AsTask());
            Assert.Contains("not found", error.Message);
            Assert.Equal(McpErrorCode.ResourceNotFound, error.ErrorCode);
        }
    }

    [Fact]
    public async Task Long_operations_report_progress_when_asked()
    {
        await using var server = await InMemoryServer.StartAsync();
        var har = new StringBuilder("{\"log\":{\"version\":\"1.2\",\"entries\":[");
        for (var i = 0; i < 12_000; i++)
        {
            if (i > 0) har.Append(',');
            har.Append("{\"startedDateTime\":\"2024-01-01T00:00:00Z\",\"request\":{\"method\":\"GET\",\"url\":\"http://p.test/").Append(i).Append("\"},\"response\":{\"status\":200}}");
        }
        har.Append("]}}");
        var file = Path.Combine(server.DataDirectory, "p.har");
        await File.WriteAllTextAsync(file, har.ToString());
        // Counted by a session-wide handler: the SDK client's per-call progress handler is removed when the response
        // arrives and can miss notifications it has not dispatched yet, though the server sent them first.
        var wire = new List<string>();
        await using var registration = server.Client.RegisterNotificationHandler("notifications/progress", (notification, _) =>
        {
            lock (wire) wire.Add(notification.Params?.ToJsonString() ?? "");
            return ValueTask.CompletedTask;
        });
        var notes = new List<ModelContextProtocol.ProgressNotificationValue>();
        var result = await server.Client.CallToolAsync("proxy_import_har", new Dictionary<string, object?> { ["har_file"] = file },
            new SyncProgress(notes), cancellationToken: TestTimeout.Token());
        var imported = ToolCall.From(result).AssertSuccess();
        Assert.Equal(12_000, imported["importSummary"].GetProperty("importedEntries").GetInt64());
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (wire.Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(20);
        lock (wire) Assert.True(wire.Count >= 2, $"{wire.Count} progress notifications");
        var beforeExport = wire.Count;

        var id = imported["session"].GetProperty("id").GetString()!;
        var exportNotes = new List<ModelContextProtocol.ProgressNotificationValue>();
        await server.Client.CallToolAsync("proxy_export_har", new Dictionary<string, object?> { ["session_id"] = id },
            new SyncProgress(exportNotes), cancellationToken: TestTimeout.Token());
        deadline = DateTime.UtcNow.AddSeconds(15);
        while (wire.Count - beforeExport < 2 && DateTime.UtcNow < deadline) await Task.Delay(20);
        lock (wire) Assert.True(wire.Count - beforeExport >= 2, $"{wire.Count - beforeExport} export progress notifications");
    }

    [Fact]
    public async Task Resource_templates_are_listed_and_an_empty_id_says_so()
    {
        await using var server = await InMemoryServer.StartAsync();
        var templates = await server.Client.ListResourceTemplatesAsync(cancellationToken: TestTimeout.Token());
        Assert.Equal(
            [("proxy://sessions/{session_id}/findings", "proxy_session_findings"), ("proxy://sessions/{session_id}/summary", "proxy_session_summary"),
             ("proxy://sessions/{session_id}/timeline", "proxy_session_timeline")],
            templates.Where(t => t.UriTemplate.StartsWith("proxy://sessions", StringComparison.Ordinal)).Select(t => (t.UriTemplate, t.Name)).Order());
        var findings = await server.Client.ReadResourceAsync("proxy://sessions/%20/findings", cancellationToken: TestTimeout.Token());
        Assert.Contains("Missing session_id.", Assert.IsType<ModelContextProtocol.Protocol.TextResourceContents>(Assert.Single(findings.Contents)).Text);
    }

    private sealed class SyncProgress(List<ModelContextProtocol.ProgressNotificationValue> sink) : IProgress<ModelContextProtocol.ProgressNotificationValue>
    {
        public void Report(ModelContextProtocol.ProgressNotificationValue value)
        {
            lock (sink) sink.Add(value);
        }
    }
}
