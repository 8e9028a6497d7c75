using System.Diagnostics;
using ProxyMcp.Capture.Sessions;

namespace ProxyMcp.Capture.Tests.Sessions;

public sealed class SessionWriterTests
{
    [Fact]
    public async Task Keeps_every_exchange_at_5000_per_second()
    {
        using var temp = new TempDirectory();
        var store = new SessionStore(temp.Path);
        await using var recorder = new SessionRecorder(store);
        var manifest = await recorder.StartAsync(new SessionStartOptions { Profile = CaptureProfile.Full });
        const int total = 10_000;
        const int perTick = 50; // every 10 ms: 5,000 per second
        var body = System.Text.Encoding.UTF8.GetBytes("{\"items\":[1,2,3],\"note\":\"" + new string('x', 400) + "\"}");
        var clock = Stopwatch.StartNew();
        var sent = 0;
        while (sent < total)
        {
            // Several producers, as the engine raises completions on pool threads.
            Parallel.For(sent, sent + perTick, i =>
            {
                var exchange = SessionTestData.Exchange($"ex-{i}", $"http://host{i % 7}.test/items/{i}?q={i}", timestamp: 1_700_000_000_000 + i);
                Assert.True(recorder.Record(SessionTestData.Full(exchange, null, body)));
            });
            sent += perTick;
            var due = TimeSpan.FromMilliseconds(sent / (double)perTick * 10);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
        }
        var final = await recorder.StopAsync();

        Assert.Equal(0, final!.DroppedWrites);
        Assert.Equal(total, final.ExchangeCount);
        using var reader = store.Open(manifest.Id);
        Assert.Equal(total, reader.Count(new SessionQuery { UrlContains = "/items/" }));
        Assert.Equal(total, reader.Count(new SessionQuery { Method = "get" }));
        var stored = reader.GetExchange(reader.FindById("ex-9999")!.Seq)!;
        Assert.Equal(body, reader.ReadRawBody(stored.Entry.Seq, response: true));
    }

    [Fact]
    public async Task A_full_queue_drops_and_counts_instead_of_blocking()
    {
        using var temp = new TempDirectory();
        var store = new SessionStore(temp.Path);
        await using var recorder = new SessionRecorder(store) { QueueCapacity = 1000 };
        var manifest = await recorder.StartAsync(new SessionStartOptions());
        var writer = store.Active!.Writer;
        // Fill far faster than any disk: the channel (1,000 here) must refuse some without blocking the caller.
        var clock = Stopwatch.StartNew();
        var accepted = 0;
        const int sent = 20_000;
        var exchange = SessionTestData.Exchange("same", "http://a.test/");
        for (var i = 0; i < sent; i++)
        {
            if (writer.TryEnqueue(new PendingExchange(exchange with { Id = "e" + i }))) accepted++;
        }
        var enqueueTime = clock.Elapsed;
        var final = await recorder.StopAsync();

        Assert.True(enqueueTime < TimeSpan.FromSeconds(5), $"enqueueing took {enqueueTime}");
        Assert.True(accepted < sent);
        Assert.Equal(accepted, final!.ExchangeCount);
        Assert.Equal(sent - accepted, final.DroppedWrites);
        Assert.Equal(sent, final.ExchangeCount + final.DroppedWrites);
        Assert.Equal(manifest.Id, final.Id);
    }

    [Fact]
    public async Task Disk_cap_stops_recording_with_a_clear_status_and_counts_what_was_not_kept()
    {
        using var temp = new TempDirectory();
        var store = new SessionStore(temp.Path);
        BodyCapturePolicyLog capture = new();
        await using var recorder = new SessionRecorder(store, capture.Set);
        await recorder.StartAsync(new SessionStartOptions { Profile = CaptureProfile.Full, MaxDiskMb = 0.5 });
        Assert.NotNull(capture.Current);
        var body = new byte[20_000];
        Random.Shared.NextBytes(body);
        const int sent = 200;
        for (var i = 0; i < sent; i++)
        {
            recorder.Record(SessionTestData.Full(SessionTestData.Exchange("c" + i, "http://cap.test/" + i), null, body));
            if (i % 20 == 0) await Task.Delay(150); // let batches commit so the cap is measured as it fills
        }
        await Task.Delay(300);

        var status = recorder.Status();
        Assert.False(status.Recording);
        Assert.Contains("disk cap reached", status.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("proxy keeps running", status.LastError);
        Assert.Matches(@"\(0\.5 MB cap, 0\.\d+ MB used, the next exchange needed 0\.0\d MB\)", status.LastError);
        Assert.Null(capture.Current); // body capture switched off in the engine
        Assert.Equal("error", status.RecoveryState);
        var final = await recorder.StopAsync();
        Assert.Equal("error", final!.RecoveryState);
        Assert.True(final!.ExchangeCount > 0);
        Assert.True(final.DroppedWrites > 0);
        Assert.Equal(sent, final.ExchangeCount + final.DroppedWrites);
        Assert.Contains("disk cap reached", final.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.True(final.BytesWritten < 1.5 * 1024 * 1024, $"{final.BytesWritten} bytes on disk");
    }

    private sealed class BodyCapturePolicyLog
    {
        public ProxyMcp.Engine.Exchanges.BodyCapturePolicy? Current { get; private set; }
        public void Set(ProxyMcp.Engine.Exchanges.BodyCapturePolicy? policy) => Current = policy;
    }
}
