using System.Text;
using System.Text.Json;
using ProxyMcp.Capture.Har;
using ProxyMcp.Capture.Sessions;
using ProxyMcp.Capture.Tests.Sessions;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Tests.Har;

public sealed class HarExportImportTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private SessionStore _store = null!;
    private string _session = null!;
    private static readonly byte[] Binary = MakeBinary();
    private static readonly byte[] BinaryRequest = [0, 1, 2, 3, 0xFF, 0xFE, 0x80, 0x7F, 10, 13];

    public async Task InitializeAsync()
    {
        _store = new SessionStore(_temp.Combine("sessions"));
        await using var recorder = new SessionRecorder(_store);
        var gzipHeaders = new HeaderList { { "Content-Type", "application/json; charset=utf-8" }, { "Content-Encoding", "gzip" },
            { "Set-Cookie", "sid=abc; Path=/; HttpOnly; Secure; Expires=Wed, 21 Oct 2026 07:28:00 GMT" }, { "Set-Cookie", "theme=dark" } };
        var requestHeaders = new HeaderList { { "Host", "api.test" }, { "Cookie", "a=1; b=2" }, { "Content-Type", "application/json" } };
        var redirect = new HeaderList { { "Location", "https://api.test/next" } };
        var binaryRequestHeaders = new HeaderList { { "Host", "up.test" }, { "Content-Type", "application/octet-stream" } };
        var exchanges = new List<PendingExchange>
        {
            SessionTestData.Full(SessionTestData.Exchange("json", "https://api.test/items?q=a%20b&page=2&flag", method: "POST",
                requestBody: "{\"name\":\"é ü 😀\"}", requestHeaders: requestHeaders, responseHeaders: gzipHeaders),
                Encoding.UTF8.GetBytes("{\"name\":\"é ü 😀\"}"), SessionTestData.Gzip("{\"ok\":true,\"text\":\"héllo \\\"quoted\\\" <tag>\"}")),
            SessionTestData.Full(SessionTestData.Exchange("png", "https://cdn.test/logo.png", responseHeaders: new HeaderList { { "Content-Type", "image/png" } }),
                null, Binary),
            SessionTestData.Full(SessionTestData.Exchange("upload", "https://up.test/blob", method: "PUT", requestHeaders: binaryRequestHeaders, responseType: null),
                BinaryRequest, null),
            new(SessionTestData.Exchange("redirect", "http://api.test/old", status: 302, responseHeaders: redirect, responseType: null)),
            new(SessionTestData.Exchange("aborted", "http://api.test/slow", status: null) with
            {
                Error = new ExchangeError(ExchangeErrorKind.Timeout, "upstream timed out"),
                Timings = new ExchangeTimings { RequestSentMs = 2 },
            }),
        };
        _session = await SessionTestData.RecordAsync(recorder, CaptureProfile.Full, exchanges);
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private static byte[] MakeBinary()
    {
        var bytes = new byte[70_000];
        new Random(3).NextBytes(bytes);
        bytes[5] = 0;
        return bytes;
    }

    private async Task<string> ExportAsync(string session, SessionQuery? query = null, bool includeBodies = true)
    {
        var file = _temp.Combine("out", Guid.NewGuid().ToString("N") + ".har");
        using var reader = _store.Open(session);
        await HarExport.WriteAsync(reader, new HarExportOptions { OutputFile = file, Query = query ?? new SessionQuery { Descending = false }, IncludeBodies = includeBodies },
            null, default);
        return file;
    }

    private static async Task<List<JsonElement>> EntriesAsync(string file)
    {
        using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(file));
        return document.RootElement.GetProperty("log").GetProperty("entries").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private static (double Time, double Send, double Wait, double Receive) TimeAndTimings(JsonElement entry)
    {
        var timings = entry.GetProperty("timings");
        return (entry.GetProperty("time").GetDouble(), timings.GetProperty("send").GetDouble(), timings.GetProperty("wait").GetDouble(),
            timings.GetProperty("receive").GetDouble());
    }

    [NodeFact]
    public async Task Export_passes_har_validator_and_converts_with_har_to_k6()
    {
        var file = await ExportAsync(_session);
        var (ok, output) = await NodeHarTools.CheckAsync(file);
        Assert.True(ok, output);
    }

    [Fact]
    public async Task Export_has_every_required_field_and_decoded_or_base64_bodies()
    {
        var file = await ExportAsync(_session);
        using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(file));
        var log = document.RootElement.GetProperty("log");
        Assert.Equal("1.2", log.GetProperty("version").GetString());
        var entries = log.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(5, entries.Count);

        var json = entries[0];
        Assert.Equal("2023-11-14T22:13:20.000Z", json.GetProperty("startedDateTime").GetString());
        var request = json.GetProperty("request");
        Assert.Equal(["a", "b"], request.GetProperty("cookies").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal([("q", "a b"), ("page", "2"), ("flag", "")],
            request.GetProperty("queryString").EnumerateArray().Select(q => (q.GetProperty("name").GetString(), q.GetProperty("value").GetString())));
        Assert.Equal("application/json", request.GetProperty("postData").GetProperty("mimeType").GetString());
        Assert.Equal("{\"name\":\"é ü 😀\"}", request.GetProperty("postData").GetProperty("text").GetString());
        Assert.Equal(-1, request.GetProperty("headersSize").GetInt32());
        var response = json.GetProperty("response");
        var content = response.GetProperty("content");
        Assert.Equal("{\"ok\":true,\"text\":\"héllo \\\"quoted\\\" <tag>\"}", content.GetProperty("text").GetString());
        Assert.False(content.TryGetProperty("encoding", out _));
        Assert.Equal(Encoding.UTF8.GetByteCount(content.GetProperty("text").GetString()!), content.GetProperty("size").GetInt32());
        Assert.Equal("application/json; charset=utf-8", content.GetProperty("mimeType").GetString());
        var cookies = response.GetProperty("cookies").EnumerateArray().ToList();
        Assert.Equal(2, cookies.Count);
        Assert.True(cookies[0].GetProperty("httpOnly").GetBoolean());
        Assert.Equal("2026-10-21T07:28:00.000Z", cookies[0].GetProperty("expires").GetString());
        Assert.Equal("", response.GetProperty("redirectURL").GetString());
        Assert.Equal(JsonValueKind.Object, json.GetProperty("cache").ValueKind);
        var timings = json.GetProperty("timings");
        Assert.Equal(-1, timings.GetProperty("dns").GetDouble());
        Assert.Equal(1, timings.GetProperty("send").GetDouble());
        Assert.Equal(4, timings.GetProperty("wait").GetDouble());
        Assert.Equal(7.5, timings.GetProperty("receive").GetDouble());
        Assert.Equal(12.5, json.GetProperty("time").GetDouble());

        var png = entries[1].GetProperty("response").GetProperty("content");
        Assert.Equal("base64", png.GetProperty("encoding").GetString());
        Assert.Equal(Binary, Convert.FromBase64String(png.GetProperty("text").GetString()!));

        var upload = entries[2].GetProperty("request").GetProperty("postData");
        Assert.Equal("application/octet-stream", upload.GetProperty("mimeType").GetString());
        Assert.Equal("base64", upload.GetProperty("encoding").GetString());

        Assert.Equal("https://api.test/next", entries[3].GetProperty("response").GetProperty("redirectURL").GetString());
        var aborted = entries[4].GetProperty("response");
        Assert.Equal(0, aborted.GetProperty("status").GetInt32());
        Assert.Equal("upstream timed out", aborted.GetProperty("_error").GetString());
        // No response: the rest of the recorded duration was spent waiting, and time is still that duration.
        Assert.Equal((12.5, 2.0, 10.5, 0.0), TimeAndTimings(entries[4]));
        foreach (var entry in entries)
        {
            var (time, send, wait, receive) = TimeAndTimings(entry);
            Assert.True(send >= 0 && wait >= 0 && receive >= 0, entry.GetProperty("timings").ToString());
            Assert.Equal(time, send + wait + receive, 3);
        }
    }

    [Theory]
    // A request without a body has no "sent" milestone: nothing to send.
    [InlineData(null, 5.0, 12.5, 12.5, 0.0, 5.0, 7.5, 12.5)]
    // Failed before any response: the duration is all waiting.
    [InlineData(2.0, null, null, 30.0, 2.0, 28.0, 0.0, 30.0)]
    // Imported without timings: the time kept as duration comes back.
    [InlineData(null, null, null, 250.0, 0.0, 250.0, 0.0, 250.0)]
    // Response not finished: receive runs to the duration when that is later, else it is 0.
    [InlineData(1.0, 5.0, null, 40.0, 1.0, 4.0, 35.0, 40.0)]
    [InlineData(1.0, 5.0, null, null, 1.0, 4.0, 0.0, 5.0)]
    // The server answered before the request body was all sent: the overlap is counted once.
    [InlineData(20.0, 5.0, 30.0, 30.0, 20.0, 0.0, 10.0, 30.0)]
    [InlineData(0.1234, 1.0004, 2.0, 2.0, 0.123, 0.877, 1.0, 2.0)]
    public void Export_timings_are_never_negative_and_add_up_to_the_entry_time(double? sent, double? headers, double? done, double? duration,
        double send, double wait, double receive, double time)
    {
        var exchange = SessionTestData.Exchange("t", "http://t.test/", duration: duration) with
        {
            Timings = new ExchangeTimings { RequestSentMs = sent, ResponseHeadersMs = headers, ResponseDoneMs = done },
        };
        Assert.Equal((send, wait, receive, time), HarExport.Timings(exchange));
    }

    [Fact]
    public async Task An_imported_entry_keeps_its_time_through_export()
    {
        // Timings of zeros (as some tools write) or none say nothing: the entry's time is what is known. Connection
        // phases count in HAR's time (ssl inside connect, dns -1 not at all) and the engine has none: they go to send.
        var har = """
            {"log":{"version":"1.2","entries":[
              {"startedDateTime":"2026-12-01T09:00:01.000Z","time":250,"request":{"method":"GET","url":"https://x.test/zeros"},"response":{"status":200},
               "timings":{"blocked":0,"dns":0,"connect":0,"ssl":0,"send":0,"wait":0,"receive":0}},
              {"startedDateTime":"2026-12-01T09:00:02.000Z","time":250,"request":{"method":"GET","url":"https://x.test/none"},"response":{"status":200}},
              {"startedDateTime":"2026-12-01T09:00:03.000Z","time":17.6,"request":{"method":"GET","url":"https://x.test/phases"},"response":{"status":200},
               "timings":{"blocked":2,"dns":-1,"connect":3,"ssl":1,"send":1,"wait":10,"receive":1.6}}]}}
            """;
        var file = _temp.Combine("timings.har");
        await File.WriteAllTextAsync(file, har);
        var imported = await HarImport.RunAsync(_store, new HarImportOptions { HarFile = file }, null, default);
        Assert.Equal(3, imported.Summary.ImportedEntries);

        var entries = await EntriesAsync(await ExportAsync(imported.Manifest.Id));
        Assert.Equal((250.0, 0.0, 250.0, 0.0), TimeAndTimings(entries[0]));
        Assert.Equal((250.0, 0.0, 250.0, 0.0), TimeAndTimings(entries[1]));
        Assert.Equal((17.6, 6.0, 10.0, 1.6), TimeAndTimings(entries[2]));
    }

    [Fact]
    public async Task Without_bodies_the_export_says_include_bodies_left_them_out()
    {
        await using var recorder = new SessionRecorder(_store);
        var exchange = SessionTestData.Exchange("kept", "http://kept.test/", method: "POST", requestBody: "a=1", responseBody: "hello",
            responseType: "text/plain");
        var session = await SessionTestData.RecordAsync(recorder, CaptureProfile.Full,
            [SessionTestData.Full(exchange, Encoding.UTF8.GetBytes("a=1"), Encoding.UTF8.GetBytes("hello"))]);

        var entry = Assert.Single(await EntriesAsync(await ExportAsync(session, includeBodies: false)));
        var postData = entry.GetProperty("request").GetProperty("postData");
        Assert.Equal("a=1", postData.GetProperty("text").GetString());
        Assert.Equal("Body preview only: complete bodies were left out (include_bodies: false).", postData.GetProperty("comment").GetString());
        var content = entry.GetProperty("response").GetProperty("content");
        Assert.Equal("hello", content.GetProperty("text").GetString());
        Assert.Equal("Body preview only: complete bodies were left out (include_bodies: false).", content.GetProperty("comment").GetString());

        var withBodies = Assert.Single(await EntriesAsync(await ExportAsync(session)));
        Assert.False(withBodies.GetProperty("response").GetProperty("content").TryGetProperty("comment", out _));
    }

    [Fact]
    public async Task Content_size_is_the_decoded_length_and_compression_is_never_negative()
    {
        var text = string.Concat(Enumerable.Repeat("{\"id\":1,\"name\":\"same again\"},", 30));
        var gzip = SessionTestData.Gzip(text);
        var gzipHeaders = new HeaderList { { "Content-Type", "application/json" }, { "Content-Encoding", "gzip" } };
        Exchange Previewed(string id, string preview, byte[] wire)
        {
            var exchange = SessionTestData.Exchange(id, $"http://size.test/{id}", responseHeaders: gzipHeaders);
            return exchange with { Response = exchange.Response! with { BodyPreview = preview, BodySize = wire.Length } };
        }
        await using var recorder = new SessionRecorder(_store);
        var preview = await SessionTestData.RecordAsync(recorder, CaptureProfile.Preview,
        [
            new(Previewed("whole", text, gzip)),
            new(Previewed("capped", BodyPreview.Cap(text, truncated: true), gzip[..40])),
            new(SessionTestData.Exchange("plain", "http://size.test/plain", responseBody: text)),
        ]);
        var entries = await EntriesAsync(await ExportAsync(preview));
        string Size(JsonElement entry) => entry.GetProperty("response").GetProperty("content").GetProperty("size").ToString();
        Assert.True(gzip.Length < text.Length);
        // Encoded: the whole decoded preview gives the size; a capped one keeps the wire size. Unencoded: the wire size.
        Assert.Equal(text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Size(entries[0]));
        Assert.Equal(gzip.Length, entries[0].GetProperty("response").GetProperty("bodySize").GetInt32());
        Assert.Equal(entries[1].GetProperty("response").GetProperty("bodySize").ToString(), Size(entries[1]));
        Assert.Equal(text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Size(entries[2]));

        // A stored body that grew under gzip (a few bytes) has no negative compression; one that shrank has it.
        var full = await SessionTestData.RecordAsync(recorder, CaptureProfile.Full,
        [
            SessionTestData.Full(SessionTestData.Exchange("tiny", "http://size.test/tiny", responseHeaders: gzipHeaders), null, SessionTestData.Gzip("ok")),
            SessionTestData.Full(SessionTestData.Exchange("big", "http://size.test/big", responseHeaders: gzipHeaders), null, gzip),
        ]);
        var stored = (await EntriesAsync(await ExportAsync(full))).Select(e => e.GetProperty("response").GetProperty("content")).ToList();
        Assert.Equal(2, stored[0].GetProperty("size").GetInt32());
        Assert.False(stored[0].TryGetProperty("compression", out _));
        Assert.Equal(text.Length, stored[1].GetProperty("size").GetInt32());
        Assert.Equal(text.Length - gzip.Length, stored[1].GetProperty("compression").GetInt32());
    }

    [Fact]
    public async Task Export_then_import_keeps_bodies_byte_for_byte()
    {
        var file = await ExportAsync(_session);
        var imported = await HarImport.RunAsync(_store, new HarImportOptions { HarFile = file }, null, default);
        Assert.Equal(5, imported.Summary.ImportedEntries);
        Assert.Equal(0, imported.Summary.ErrorCount);
        Assert.Equal(SessionStatus.Stopped, imported.Manifest.Status);
        Assert.Equal(CaptureProfile.Full, imported.Manifest.CaptureProfile);
        Assert.StartsWith("har-import-", imported.Manifest.Name);

        using var reader = _store.Open(imported.Manifest.Id);
        var png = reader.GetExchange(reader.FindById($"har_{imported.Manifest.Id}_2")!.Seq)!;
        Assert.Equal(Binary, reader.ReadDecodedBody(png, response: true, long.MaxValue)!.Bytes);
        var upload = reader.GetExchange(3)!;
        Assert.Equal(BinaryRequest, reader.ReadRawBody(3, response: false));
        Assert.Equal("PUT", upload.Exchange.Request.Method);
        var json = reader.GetExchange(1)!;
        Assert.Equal("{\"ok\":true,\"text\":\"héllo \\\"quoted\\\" <tag>\"}", Encoding.UTF8.GetString(reader.ReadDecodedBody(json, true, long.MaxValue)!.Bytes));
        // Headers keep their case and repeats.
        Assert.Equal(2, json.Exchange.Response!.Headers.Count(h => h.Key == "Set-Cookie"));
        Assert.Equal("har", json.Entry.Source);

        // And a second export of the import is the same content.
        var again = await ExportAsync(imported.Manifest.Id);
        using var first = JsonDocument.Parse(await File.ReadAllBytesAsync(file));
        using var second = JsonDocument.Parse(await File.ReadAllBytesAsync(again));
        string Texts(JsonDocument d) => string.Join("|", d.RootElement.GetProperty("log").GetProperty("entries").EnumerateArray()
            .Select(e => e.GetProperty("response").GetProperty("content").TryGetProperty("text", out var t) ? t.GetString() : "-"));
        Assert.Equal(Texts(first), Texts(second));
    }

    [Fact]
    public async Task Imported_entries_are_fully_indexed_for_search_when_the_import_returns()
    {
        var file = await ExportAsync(_session);
        var progress = new List<SessionProgress>();
        var imported = await HarImport.RunAsync(_store, new HarImportOptions { HarFile = file }, new SynchronousProgress(progress.Add), default);

        using var reader = _store.Open(imported.Manifest.Id);
        Assert.Equal(0L, Convert.ToInt64(SessionDatabase.Scalar(reader.Connection, "SELECT count(*) FROM unindexed"), System.Globalization.CultureInfo.InvariantCulture));
        // The secondary indexes dropped for the bulk insert are all back.
        Assert.Equal(5L, Convert.ToInt64(SessionDatabase.Scalar(reader.Connection,
            "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN ('exchanges_time', 'exchanges_id', 'exchanges_method', 'exchanges_status', 'exchanges_host')"),
            System.Globalization.CultureInfo.InvariantCulture));
        // With nothing left unindexed, a substring filter can only find these through the trigram index.
        Assert.Equal(3, reader.Query(new SessionQuery { UrlContains = "api.test" }, 0, 10).Total);
        var found = BodySearch.Run(reader, new BodySearchOptions { Text = "quoted" });
        Assert.Equal($"har_{imported.Manifest.Id}_1", Assert.Single(found.Matches).ExchangeId);
        // Progress only grows and ends at its total.
        Assert.True(progress.Zip(progress.Skip(1)).All(p => p.Second.Done >= p.First.Done));
        Assert.Equal(progress[^1].Total, progress[^1].Done);
    }

    private sealed class SynchronousProgress(Action<SessionProgress> report) : IProgress<SessionProgress>
    {
        public void Report(SessionProgress value) => report(value);
    }

    [Fact]
    public async Task Large_bodies_stream_through_export_and_import()
    {
        var big = new StringBuilder();
        while (big.Length < 9_500_000) big.Append("line ").Append(big.Length).Append(" of a large text body ü\n");
        var bigBinary = new byte[3_000_000];
        new Random(5).NextBytes(bigBinary);
        await using var recorder = new SessionRecorder(_store);
        var headers = new HeaderList { { "Content-Type", "text/plain" }, { "Content-Encoding", "gzip" } };
        var session = await SessionTestData.RecordAsync(recorder, CaptureProfile.Full,
        [
            SessionTestData.Full(SessionTestData.Exchange("bigtext", "http://big.test/t", responseHeaders: headers), null, SessionTestData.Gzip(big.ToString())),
            SessionTestData.Full(SessionTestData.Exchange("bigbin", "http://big.test/b", responseType: "application/octet-stream"), null, bigBinary),
        ]);
        var file = await ExportAsync(session);
        var imported = await HarImport.RunAsync(_store, new HarImportOptions { HarFile = file }, null, default);
        using var reader = _store.Open(imported.Manifest.Id);
        Assert.Equal(big.ToString(), Encoding.UTF8.GetString(reader.ReadDecodedBody(reader.GetExchange(1)!, true, long.MaxValue)!.Bytes));
        Assert.Equal(bigBinary, reader.ReadRawBody(2, response: true));
    }

    [Fact]
    public async Task Entries_keep_session_order_across_parallel_batches_and_streamed_bodies()
    {
        // More rows than one formatting batch, with bodies too big to come inline in the middle: order must hold.
        var streamed = new byte[1_500_000];
        new Random(11).NextBytes(streamed);
        await using var recorder = new SessionRecorder(_store);
        var exchanges = new List<PendingExchange>();
        for (var i = 0; i < 1300; i++)
        {
            var exchange = SessionTestData.Exchange($"e{i:D4}", $"http://order.test/{i}", responseType: "text/plain");
            exchanges.Add(i is 700 or 1299
                ? SessionTestData.Full(exchange, null, streamed)
                : SessionTestData.Full(exchange, null, Encoding.UTF8.GetBytes($"body {i}")));
        }
        var session = await SessionTestData.RecordAsync(recorder, CaptureProfile.Full, exchanges);

        var file = await ExportAsync(session);

        using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(file));
        var entries = document.RootElement.GetProperty("log").GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(1300, entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            Assert.Equal($"http://order.test/{i}", entries[i].GetProperty("request").GetProperty("url").GetString());
            var content = entries[i].GetProperty("response").GetProperty("content");
            if (i is 700 or 1299) Assert.Equal(streamed, Convert.FromBase64String(content.GetProperty("text").GetString()!));
            else Assert.Equal($"body {i}", content.GetProperty("text").GetString());
        }
    }

    [Fact]
    public async Task A_form_given_only_as_post_data_params_is_rebuilt_as_its_urlencoded_body()
    {
        var har = """
            {"log":{"version":"1.2","entries":[
              {"startedDateTime":"2026-12-01T09:00:01.000Z","time":1,
               "request":{"method":"POST","url":"https://x.test/login","headers":[{"name":"Content-Type","value":"application/x-www-form-urlencoded"}],
                 "postData":{"mimeType":"application/x-www-form-urlencoded","params":[{"name":"user","value":"alice b"},{"name":"pw","value":"s3&cret"}]}},
               "response":{"status":200,"headers":[],"content":{"size":0,"mimeType":"text/plain"}}},
              {"startedDateTime":"2026-12-01T09:00:02.000Z","time":1,
               "request":{"method":"POST","url":"https://x.test/upload","headers":[],
                 "postData":{"mimeType":"multipart/form-data; boundary=x","params":[{"name":"f","fileName":"a.txt","contentType":"text/plain"}]}},
               "response":{"status":200,"headers":[],"content":{"size":0,"mimeType":"text/plain"}}}]}}
            """;
        var file = _temp.Combine("params.har");
        await File.WriteAllTextAsync(file, har);
        var result = await HarImport.RunAsync(_store, new HarImportOptions { HarFile = file }, null, default);
        Assert.Equal(2, result.Summary.ImportedEntries);
        using var reader = _store.Open(result.Manifest.Id);
        var form = reader.GetExchange(1)!;
        Assert.Equal("user=alice%20b&pw=s3%26cret", Encoding.UTF8.GetString(reader.ReadDecodedBody(form, false, long.MaxValue)!.Bytes));
        // A multipart form cannot be rebuilt byte for byte: no body rather than a made-up one.
        Assert.Null(reader.ReadDecodedBody(reader.GetExchange(2)!, false, long.MaxValue));
    }

    [Fact]
    public async Task Import_accepts_a_bom_and_members_in_any_order()
    {
        var har = """
            {"log":{"creator":{"name":"x","version":"1"},"pages":[{"id":"p","title":"t","startedDateTime":"2024-01-01T00:00:00Z","pageTimings":{}}],
             "entries":[{"startedDateTime":"2024-05-01T10:00:00.123+02:00","time":12.6,
               "request":{"method":"get","url":"https://x.test/a?b=1","httpVersion":"HTTP/2","headers":[{"name":"Accept","value":"*/*"}],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},
               "response":{"status":201,"statusText":"Created","httpVersion":"HTTP/2","headers":[{"name":"Content-Type","value":"text/plain"}],"cookies":[],
                 "content":{"size":5,"mimeType":"text/plain","text":"hello"},"redirectURL":"","headersSize":-1,"bodySize":-1},
               "cache":{},"timings":{"send":1,"wait":10,"receive":1.6}}],
             "version":"1.2"},"extra":[1,2,{"a":"b"}]}
            """;
        var file = _temp.Combine("bom.har");
        await File.WriteAllBytesAsync(file, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(har)]);
        var result = await HarImport.RunAsync(_store, new HarImportOptions { HarFile = file, SessionName = "bom" }, null, default);
        Assert.Equal(1, result.Summary.ImportedEntries);
        Assert.Equal(Path.GetFullPath(file), result.Summary.SourceFile);
        Assert.Equal(DateTimeOffset.Parse("2024-05-01T08:00:00.123Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(), result.Summary.FirstTimestamp);
        using var reader = _store.Open(result.Manifest.Id);
        var stored = reader.GetExchange(1)!;
        Assert.Equal($"har_{result.Manifest.Id}_1", stored.Entry.ExchangeId);
        Assert.Equal("GET", stored.Entry.Method);
        Assert.Equal("/a?b=1", stored.Entry.Path);
        Assert.Equal(201, stored.Entry.StatusCode);
        Assert.Equal(13, stored.Entry.Duration);
        Assert.Equal(5, stored.Entry.ResponseBodySize);
        Assert.Equal("hello", stored.Exchange.Response!.BodyPreview);
        Assert.Equal("HTTP/2", stored.Exchange.HttpVersion);
        Assert.Equal(11, stored.Exchange.Timings.ResponseHeadersMs);
    }

    [Theory]
    [InlineData("""{"request":{"method":"GET","url":"not a url"},"response":{}}""", "HAR entry #2: invalid request.url")]
    [InlineData("""{"request":{"url":"http://x.test/"},"response":{}}""", "HAR entry #2: missing request.method.")]
    [InlineData("""{"startedDateTime":"2024-01-01T00:00:00Z","request":{"method":"GET","url":"http://x.test/"},"response":{"status":200,"content":{"text":"@@@","encoding":"base64"}}}""", "HAR entry #2: response.content.text is not valid base64")]
    [InlineData("""{"request":{"method":"GET","url":"http://x.test/","headers":[{"name":"a","value":3}]},"response":{}}""", "HAR entry #2: request.headers[0] needs string name and value.")]
    [InlineData("""{"startedDateTime":"2024-01-01T00:00:00Z","request":{"method":"GET","url":"http://x.test/"}}""", "HAR entry #2: missing response object.")]
    [InlineData("""17""", "HAR entry #2: entry is not an object.")]
    public async Task Strict_import_names_the_entry_and_field_and_stores_nothing(string badEntry, string expected)
    {
        var good = """{"startedDateTime":"2024-01-01T00:00:00Z","request":{"method":"GET","url":"http://ok.test/"},"response":{"status":200}}""";
        var file = _temp.Combine("bad.har");
        await File.WriteAllTextAsync(file, "{\"log\":{\"version\":\"1.2\",\"entries\":[" + good + "," + badEntry + "," + good + "]}}");
        var before = _store.List().Count;

        var error = await Assert.ThrowsAsync<SessionException>(() => HarImport.RunAsync(_store, new HarImportOptions { HarFile = file, Strict = true }, null, default));
        Assert.StartsWith(expected, error.Message);
        Assert.Equal(before, _store.List().Count);
        Assert.Equal(before, Directory.GetDirectories(_store.Root).Length);

        var lenient = await HarImport.RunAsync(_store, new HarImportOptions { HarFile = file }, null, default);
        Assert.Equal(3, lenient.Summary.TotalEntries);
        Assert.Contains(lenient.Summary.Warnings, w => w.StartsWith(expected, StringComparison.Ordinal));
        Assert.True(lenient.Summary.ImportedEntries >= 2);
    }

    [Theory]
    [InlineData("""{"log":{"version":"1.2"}}""", "Invalid HAR: missing log.entries array.")]
    [InlineData("""{"nolog":true}""", "Invalid HAR: missing log.entries array.")]
    [InlineData("""{"log":{"entries":[{"request":{"method":"GET","url":"http://ok.test/"},"response":{}},""", "Invalid HAR JSON:")]
    [InlineData("""[1,2]""", "Invalid HAR: the document is not a JSON object.")]
    public async Task Malformed_documents_are_rejected_whole(string har, string expected)
    {
        var file = _temp.Combine("broken.har");
        await File.WriteAllTextAsync(file, har);
        var error = await Assert.ThrowsAsync<SessionException>(() => HarImport.RunAsync(_store, new HarImportOptions { HarFile = file }, null, default));
        Assert.StartsWith(expected, error.Message);
        Assert.Single(_store.List());
    }

    [Theory]
    [InlineData("passwd")]
    [InlineData("notes.txt")]
    [InlineData("archive.har.bak")]
    public async Task Export_writes_only_har_or_json_files_and_leaves_others_untouched(string name)
    {
        var target = _temp.Combine(name);
        await File.WriteAllTextAsync(target, "keep me");
        using var reader = _store.Open(_session);
        var error = await Assert.ThrowsAsync<SessionException>(() =>
            HarExport.WriteAsync(reader, new HarExportOptions { OutputFile = target, Query = new SessionQuery() }, null, default));
        Assert.Contains("must end with .har or .json", error.Message);
        Assert.Equal("keep me", await File.ReadAllTextAsync(target));
        Assert.Empty(Directory.GetFiles(_temp.Combine("."), "*.partial-*"));

        var json = _temp.Combine("export.JSON");
        await HarExport.WriteAsync(reader, new HarExportOptions { OutputFile = json, Query = new SessionQuery() }, null, default);
        Assert.Equal(5, JsonDocument.Parse(await File.ReadAllTextAsync(json)).RootElement.GetProperty("log").GetProperty("entries").GetArrayLength());
    }

    [Fact]
    public async Task Export_to_a_directory_named_like_a_har_is_refused()
    {
        var directory = Directory.CreateDirectory(_temp.Combine("looks-like.har")).FullName;
        using var reader = _store.Open(_session);
        var error = await Assert.ThrowsAsync<SessionException>(() =>
            HarExport.WriteAsync(reader, new HarExportOptions { OutputFile = directory, Query = new SessionQuery() }, null, default));
        Assert.Contains("is a directory", error.Message);
    }

    [Fact]
    public async Task Export_replaces_a_symbolic_link_instead_of_writing_through_it()
    {
        var victim = _temp.Combine("victim.json");
        await File.WriteAllTextAsync(victim, "{\"keep\":true}");
        var link = _temp.Combine("link.har");
        File.CreateSymbolicLink(link, victim);
        using var reader = _store.Open(_session);
        await HarExport.WriteAsync(reader, new HarExportOptions { OutputFile = link, Query = new SessionQuery() }, null, default);
        Assert.Equal("{\"keep\":true}", await File.ReadAllTextAsync(victim));
        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.StartsWith("{\"log\"", await File.ReadAllTextAsync(link));
    }

    [Fact]
    public async Task Import_reads_only_non_empty_regular_files()
    {
        var empty = _temp.Combine("empty.har");
        await File.WriteAllTextAsync(empty, "");
        var folder = Directory.CreateDirectory(_temp.Combine("folder.har")).FullName;
        var fifo = _temp.Combine("pipe.har");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo])) await mkfifo.WaitForExitAsync();

        foreach (var (path, expected) in new[]
                 {
                     (empty, "is empty or not a regular file"), (fifo, "is empty or not a regular file"), ("/dev/stdin", "is empty or not a regular file"),
                     (folder, "is a directory"), (_temp.Combine("missing.har"), "no such file"), ("", "har_file must not be empty"),
                 })
        {
            // A FIFO nobody writes to would block an open() forever: the check must come first.
            var import = HarImport.RunAsync(_store, new HarImportOptions { HarFile = path }, null, default);
            Assert.Same(import, await Task.WhenAny(import, Task.Delay(TimeSpan.FromSeconds(10))));
            var error = await Assert.ThrowsAsync<SessionException>(() => import);
            Assert.Contains(expected, error.Message);
        }
        Assert.Single(_store.List());
    }
}
