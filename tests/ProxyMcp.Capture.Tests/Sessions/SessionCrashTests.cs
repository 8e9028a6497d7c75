using System.Diagnostics;
using System.Globalization;
using ProxyMcp.Capture.Sessions;

namespace ProxyMcp.Capture.Tests.Sessions;

public sealed class SessionCrashTests
{
    [Fact]
    public async Task Kill_9_while_recording_loses_at_most_the_last_second()
    {
        using var temp = new TempDirectory();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(SessionCrashTests).Assembly.Location);
        start.Environment[CrashRecorderEntryPoint.Variable] = temp.Path;
        using var child = Process.Start(start)!;
        var progress = new List<(long Count, long At)>();
        string? sessionId = null;
        var clock = Stopwatch.StartNew();
        long killedAt;
        try
        {
            while (true)
            {
                var line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                if (line is null) Assert.Fail("the recorder exited early: " + await child.StandardError.ReadToEndAsync());
                var parts = line.Split(' ');
                if (parts[0] == "session") sessionId = parts[1];
                else progress.Add((long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture)));
                if (progress.Count > 0 && progress[^1].Count >= 3000 && clock.Elapsed > TimeSpan.FromSeconds(3)) break;
            }
        }
        finally
        {
            killedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            child.Kill(); // SIGKILL
            await child.WaitForExitAsync();
        }
        Assert.NotNull(sessionId);

        // Everything the child reported more than one second before the kill must be there.
        var mustHave = progress.Where(p => p.At <= killedAt - 1000).Select(p => p.Count).DefaultIfEmpty(0).Max();
        Assert.True(mustHave > 500, $"too little recorded before the last second ({mustHave})");
        var store = new SessionStore(temp.Path);
        var manifest = store.Get(sessionId!);
        Assert.Equal(SessionStatus.Stopped, manifest.Status);
        Assert.Equal(SessionStatus.Error, manifest.RecoveryState);
        Assert.Contains("interrupted", manifest.LastError);
        using (var reader = store.Open(sessionId!))
        {
            var stored = reader.Count(new SessionQuery { UrlContains = "crash.test" });
            Assert.True(stored >= mustHave, $"stored {stored}, but {mustHave} were recorded more than a second before the kill");
            Assert.Equal(stored, manifest.ExchangeCount);
            // A prefix, in order, bodies included.
            var last = reader.FindBySeq(stored)!;
            Assert.Equal("crash-" + (stored - 1).ToString(CultureInfo.InvariantCulture), last.ExchangeId);
            Assert.True(last.HasFullResponseBody);
            Assert.NotNull(reader.ReadRawBody(last.Seq, response: true));
        }

        var report = Assert.Single(SessionRecovery.Recover(store, sessionId));
        Assert.True(report.WasInterrupted);
        Assert.Equal("ok", report.Integrity);
        var recovered = store.Get(sessionId!);
        Assert.Equal(SessionStatus.Stopped, recovered.Status);
        Assert.Equal(SessionStatus.Recovered, recovered.RecoveryState);
        Assert.Equal(report.Exchanges, recovered.ExchangeCount);
        using var after = store.Open(sessionId!);
        Assert.Equal(10, BodySearch.Run(after, new BodySearchOptions { Text = "payload" }).Matches.Count);
    }
}
