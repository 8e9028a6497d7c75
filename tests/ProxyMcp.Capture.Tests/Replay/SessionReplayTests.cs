using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ProxyMcp.Capture.Live;
using ProxyMcp.Capture.Replay;
using ProxyMcp.Capture.Sessions;
using ProxyMcp.Capture.Tests.Sessions;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Tests.Replay;

public sealed class SessionReplayTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly ConcurrentQueue<(string Method, string Path, byte[] Body, string? Encoding)> _received = new();
    private WebApplication _origin = null!;
    private string _originUrl = null!;
    private int _inFlight;
    private int _maxInFlight;
    private static readonly byte[] BigBody = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"field{i}=value{i}&")));

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        _origin = builder.Build();
        _origin.Run(async context =>
        {
            var now = Interlocked.Increment(ref _inFlight);
            int seen;
            while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen) { }
            try
            {
                var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                _received.Enqueue((context.Request.Method, context.Request.Path + context.Request.QueryString, body.ToArray(), context.Request.Headers.ContentEncoding));
                await Task.Delay(30);
                context.Response.ContentType = "text/plain";
                context.Response.Headers["X-Origin"] = "test";
                await context.Response.WriteAsync($"got {body.Length} bytes, sha {Convert.ToHexString(SHA256.HashData(body.ToArray()))}");
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        });
        await _origin.StartAsync();
        _originUrl = _origin.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync()
    {
        await _origin.DisposeAsync();
        _temp.Dispose();
    }

    private async Task<(SessionStore Store, SessionRecorder Recorder, string Session)> RecordAsync(CaptureProfile profile, int extra = 0)
    {
        var store = new SessionStore(_temp.Combine(Guid.NewGuid().ToString("N")));
        var recorder = new SessionRecorder(store);
        var headers = new HeaderList { { "Host", "orig.test" }, { "Content-Type", "application/x-www-form-urlencoded" }, { "Connection", "keep-alive" }, { "X-Token", "t1" } };
        var exchanges = new List<PendingExchange>
        {
            SessionTestData.Full(SessionTestData.Exchange("post", "http://orig.test/submit?x=1", method: "POST", requestHeaders: headers,
                requestBody: Encoding.UTF8.GetString(BigBody), timestamp: 1000), BigBody, null),
            SessionTestData.Full(SessionTestData.Exchange("get", "http://orig.test/page", timestamp: 2000), null, null),
        };
        for (var i = 0; i < extra; i++)
            exchanges.Add(new PendingExchange(SessionTestData.Exchange("extra" + i, $"http://orig.test/extra/{i}", timestamp: 3000 + i)));
        var session = await SessionTestData.RecordAsync(recorder, profile, exchanges);
        return (store, recorder, session);
    }

    [Fact]
    public async Task Dry_run_plans_without_sending()
    {
        var (store, recorder, session) = await RecordAsync(CaptureProfile.Full);
        using var sender = new DirectReplaySender();
        var replay = new SessionReplay(store, recorder, null, sender);

        var result = await replay.RunAsync(session, new ReplayOptions { TargetBaseUrl = _originUrl + "/base/" }, null, default);

        Assert.Equal("dry_run", result.Mode);
        Assert.Equal(_originUrl + "/base/", result.TargetBaseUrl); // echoed as given, as proxy-mcp does
        Assert.Equal(2, result.SelectedCount);
        Assert.Equal(0, result.ExecutedCount);
        Assert.Empty(_received);
        Assert.Equal("get", result.Items[0].Plan.ExchangeId); // newest first
        var post = result.Items[1].Plan;
        Assert.Equal("http://orig.test/submit?x=1", post.OriginalUrl);
        Assert.Equal(_originUrl + "/base/submit?x=1", post.TargetUrl);
        Assert.Equal("127.0.0.1", post.Hostname);
        Assert.True(post.HasRequestBody);
        Assert.Null(post.SkipReason);
    }

    [Fact]
    public async Task Execute_goes_through_the_upstream_proxy_it_is_given()
    {
        var (store, recorder, session) = await RecordAsync(CaptureProfile.Full);
        var caDir = Path.Combine(Path.GetTempPath(), "proxymcp-replay-upstream-" + Guid.NewGuid().ToString("N"));
        await using var upstream = new ProxyMcp.Engine.ProxyEngine(ProxyMcp.Engine.Tls.CertificateAuthority.LoadOrCreate(caDir));
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        upstream.ExchangeCompleted += e => seen.Enqueue(e.Request.Url);
        var endPoint = await upstream.StartAsync(new ProxyMcp.Engine.ProxyOptions());
        using var sender = new DirectReplaySender(new System.Net.WebProxy($"http://{endPoint}"));
        var replay = new SessionReplay(store, recorder, new LiveCapture(), sender);

        var result = await replay.RunAsync(session, new ReplayOptions { Execute = true, TargetBaseUrl = _originUrl }, null, default);

        Assert.Equal(2, result.SuccessCount);
        Assert.Equal(_originUrl, result.TargetBaseUrl); // no trailing slash added
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (seen.Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Contains(_originUrl + "/submit?x=1", seen);
        await upstream.StopAsync();
        Directory.Delete(caDir, recursive: true);
    }

    [Fact]
    public async Task Execute_verifies_origins_with_the_trust_policy_read_at_send_time()
    {
        var (store, recorder, session) = await RecordAsync(CaptureProfile.Full);
        await using var origin = await ProxyMcp.TestSupport.OriginServer.StartAsync();
        var trust = ProxyMcp.Engine.Upstream.OriginTrust.Default;
        using var sender = new DirectReplaySender(trust: () => trust);
        var replay = new SessionReplay(store, recorder, null, sender);
        var options = new ReplayOptions { Execute = true, TargetBaseUrl = origin.HttpsUrl, ExchangeIds = ["get"] };

        // The origin's root is in no system store: refused, as live forwarding refuses it.
        var refused = await replay.RunAsync(session, options, null, default);
        Assert.Equal("error", refused.Items[0].Status);
        Assert.Contains("SSL connection could not be established", refused.Items[0].Error);

        trust = new ProxyMcp.Engine.Upstream.OriginTrust(false, [origin.Certificates.Root]);
        var trusted = await replay.RunAsync(session, options, null, default);
        Assert.Equal("success", trusted.Items[0].Status);

        trust = new ProxyMcp.Engine.Upstream.OriginTrust(true, []);
        Assert.Equal("success", (await replay.RunAsync(session, options, null, default)).Items[0].Status);

        // Back to strict: a connection pooled under the insecure policy must not carry the next replay.
        trust = ProxyMcp.Engine.Upstream.OriginTrust.Default;
        Assert.Equal("error", (await replay.RunAsync(session, options, null, default)).Items[0].Status);
    }

    [Fact]
    public async Task Urls_keep_their_escapes_in_the_plan_and_the_recorded_replay()
    {
        const string pathAndQuery = "/a%2Fb/c%20d/json?x=1&y=%20z&e=%C3%A9&p=a%2Bb";
        var store = new SessionStore(_temp.Combine(Guid.NewGuid().ToString("N")));
        var recorder = new SessionRecorder(store);
        var original = _originUrl + pathAndQuery;
        var session = await SessionTestData.RecordAsync(recorder, CaptureProfile.Full,
            [new PendingExchange(SessionTestData.Exchange("escaped", original))]);
        using var sender = new DirectReplaySender();
        var replay = new SessionReplay(store, recorder, null, sender);

        var direct = await replay.RunAsync(session, new ReplayOptions(), null, default);
        Assert.Equal(original, direct.Items[0].Plan.TargetUrl);
        var rebased = await replay.RunAsync(session, new ReplayOptions { TargetBaseUrl = _originUrl + "/base" }, null, default);
        Assert.Equal(_originUrl + "/base" + pathAndQuery, rebased.Items[0].Plan.TargetUrl);

        var executed = await replay.RunAsync(session, new ReplayOptions { Execute = true }, null, default);
        Assert.Equal("success", executed.Items[0].Status);
        Assert.Equal(original, executed.Items[0].Plan.TargetUrl);
        Assert.Contains(_received, r => r.Path == pathAndQuery);
        using var reader = store.Open(session);
        var stored = reader.FindById(executed.Items[0].ReplayExchangeId!)!;
        Assert.Equal(original, stored.Url);
        Assert.Equal(pathAndQuery, reader.GetExchange(stored.Seq)!.Exchange.Request.Path);
    }

    [Fact]
    public async Task Execute_sends_the_full_stored_body_and_records_the_results()
    {
        var (store, recorder, session) = await RecordAsync(CaptureProfile.Full);
        using var sender = new DirectReplaySender();
        var live = new LiveCapture();
        var replay = new SessionReplay(store, recorder, live, sender);

        var result = await replay.RunAsync(session, new ReplayOptions { Execute = true, TargetBaseUrl = _originUrl, Query = new SessionQuery { Descending = false } }, null, default);

        Assert.Equal(2, result.ExecutedCount);
        Assert.Equal(2, result.SuccessCount);
        var post = _received.Single(r => r.Method == "POST");
        Assert.Equal("/submit?x=1", post.Path);
        Assert.Equal(BigBody, post.Body); // 40 KB: the whole body, not the 4 KB preview
        var item = result.Items[0];
        Assert.Equal("success", item.Status);
        Assert.Equal(200, item.ResponseStatus);
        Assert.StartsWith("replay_", item.ReplayExchangeId);

        Assert.Equal(2, live.Count);
        Assert.Equal("replay", live.Find(item.ReplayExchangeId!)!.Source);
        using var reader = store.Open(session);
        Assert.Equal(4, store.Get(session).ExchangeCount);
        var stored = reader.FindById(item.ReplayExchangeId!)!;
        Assert.Equal("replay", stored.Source);
        Assert.Equal(_originUrl + "/submit?x=1", stored.Url);
        var full = reader.GetExchange(stored.Seq)!;
        Assert.Equal(BigBody, reader.ReadRawBody(stored.Seq, response: false));
        Assert.Contains("sha " + Convert.ToHexString(SHA256.HashData(BigBody)), Encoding.UTF8.GetString(reader.ReadRawBody(stored.Seq, response: true)!));
        Assert.Equal("test", full.Exchange.Response!.Headers.Get("x-origin"));
        Assert.Null(full.Exchange.Request.Headers.Get("connection"));
        Assert.Equal("t1", full.Exchange.Request.Headers.Get("x-token"));
    }

    [Fact]
    public async Task Never_sends_a_preview_in_place_of_a_body()
    {
        var (store, recorder, session) = await RecordAsync(CaptureProfile.Preview);
        using var sender = new DirectReplaySender();
        var replay = new SessionReplay(store, recorder, null, sender);

        var result = await replay.RunAsync(session, new ReplayOptions { Execute = true, TargetBaseUrl = _originUrl }, null, default);

        Assert.Equal(1, result.SkippedCount);
        Assert.Equal(1, result.SuccessCount);
        var skipped = result.Items.Single(i => i.Status == "skipped");
        Assert.Equal("post", skipped.Plan.ExchangeId);
        Assert.Contains("not stored", skipped.Error);
        Assert.DoesNotContain(_received, r => r.Method == "POST");
    }

    [Fact]
    public async Task Bounded_concurrency_rate_explicit_ids_and_errors()
    {
        var (store, recorder, session) = await RecordAsync(CaptureProfile.Full, extra: 8);
        using var sender = new DirectReplaySender();
        var replay = new SessionReplay(store, recorder, null, sender);
        var progress = new List<SessionProgress>();

        var result = await replay.RunAsync(session, new ReplayOptions { Execute = true, TargetBaseUrl = _originUrl, Concurrency = 2, Limit = 8 },
            new SyncProgress(progress), default);
        Assert.Equal(8, result.SuccessCount);
        Assert.True(_maxInFlight <= 2, $"{_maxInFlight} in flight");
        Assert.Equal(8, progress.Count);

        var ids = await replay.RunAsync(session, new ReplayOptions { ExchangeIds = ["extra3", "get"] }, null, default);
        Assert.Equal(["extra3", "get"], ids.Items.Select(i => i.Plan.ExchangeId));
        var missing = await Assert.ThrowsAsync<SessionException>(() => replay.RunAsync(session, new ReplayOptions { ExchangeIds = ["nope"] }, null, default));
        Assert.Contains("not found", missing.Message);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var rated = await replay.RunAsync(session, new ReplayOptions { Execute = true, TargetBaseUrl = _originUrl, Limit = 4, RatePerSecond = 10 }, null, default);
        Assert.Equal(4, rated.SuccessCount);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(280), $"{clock.Elapsed}");

        var refused = await replay.RunAsync(session, new ReplayOptions { Execute = true, TargetBaseUrl = "http://127.0.0.1:1", Limit = 1, TimeoutMs = 2000 }, null, default);
        Assert.Equal(1, refused.ErrorCount);
        Assert.Equal("error", refused.Items[0].Status);
        Assert.NotNull(refused.Items[0].Error);

        await Assert.ThrowsAsync<SessionException>(() => replay.RunAsync(session, new ReplayOptions { TargetBaseUrl = "ftp://x" }, null, default));
        await Assert.ThrowsAsync<SessionException>(() => replay.RunAsync("20260101000000_nope", new ReplayOptions(), null, default));
    }

    private sealed class SyncProgress(List<SessionProgress> sink) : IProgress<SessionProgress>
    {
        public void Report(SessionProgress value)
        {
            lock (sink) sink.Add(value);
        }
    }
}
