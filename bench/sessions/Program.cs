using System.Diagnostics;
using System.Globalization;
using ProxyMcp.Bench.Sessions;
using ProxyMcp.Capture.Har;
using ProxyMcp.Capture.Sessions;

// Session benchmark: builds a session through the real batched writer, then times the operations the issue names.
// Usage: dotnet run -c Release --project bench/sessions -- [--count N] [--dir PATH] [--keep] [--reuse ID] [--generate-only]
//        [--skip-queries] [--skip-export] [--skip-import] (with --reuse and --keep, --skip-export imports the HAR a previous run left)
var count = 1_000_000;
string? directory = null;
var keep = false;
string? reuse = null;
var generateOnly = false;
var skipQueries = false;
var skipExport = false;
var skipImport = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--count": count = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--dir": directory = args[++i]; break;
        case "--keep": keep = true; break;
        case "--reuse": reuse = args[++i]; break;
        case "--generate-only": generateOnly = true; break;
        case "--skip-queries": skipQueries = true; break;
        case "--skip-export": skipExport = true; break;
        case "--skip-import": skipImport = true; break;
    }
}
directory ??= Path.Combine(Path.GetTempPath(), "proxymcp-bench-sessions");
Directory.CreateDirectory(directory);
var store = new SessionStore(directory);
Console.WriteLine($"# sessions bench: {count:N0} exchanges, {Environment.ProcessorCount} cores, {directory}");

string sessionId;
if (reuse is null)
{
    sessionId = await Generate(store, count);
}
else
{
    sessionId = reuse;
}
var manifest = store.Get(sessionId);
if (generateOnly)
{
    if (!keep) store.Delete(sessionId);
    return;
}
Console.WriteLine($"session {sessionId}: {manifest.ExchangeCount:N0} exchanges, {manifest.BytesWritten / 1048576.0:N0} MiB on disk");

if (!skipQueries)
{
    // First with the in-memory locator columns off (every filter in SQL), then with them loaded.
    var sqlOnly = new SessionStore(directory) { Locators = new LocatorCache { MinRows = long.MaxValue } };
    RunQueries(sqlOnly, sessionId, "sql");
    GC.Collect();
    var before = GC.GetTotalMemory(forceFullCollection: true);
    var loadClock = Stopwatch.StartNew();
    await store.Locators.StartLoading(Path.Combine(store.DirectoryOf(sessionId), SessionDatabase.FileName));
    loadClock.Stop();
    var after = GC.GetTotalMemory(forceFullCollection: true);
    Console.WriteLine($"locator columns loaded in {loadClock.Elapsed.TotalSeconds:N2} s, {(after - before) / 1048576.0:N0} MiB of managed memory");
    RunQueries(store, sessionId, "memory");
}

var har = Path.Combine(directory, sessionId + ".har");
if (!skipExport)
{
GC.Collect();
var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
var gen0Before = GC.CollectionCount(0);
var gen1Before = GC.CollectionCount(1);
var gen2Before = GC.CollectionCount(2);
var exportClock = Stopwatch.StartNew();
var peak = new PeakMemory();
long exported;
using (var session = store.Open(sessionId))
{
    exported = await HarExport.WriteAsync(session, new HarExportOptions { OutputFile = har, Query = new SessionQuery { Descending = false } }, progress: null, default);
}
exportClock.Stop();
peak.Stop();
Console.WriteLine($"export: {exported:N0} entries in {exportClock.Elapsed.TotalSeconds:N1} s = {exported / exportClock.Elapsed.TotalSeconds:N0} entries/s, "
    + $"HAR {new FileInfo(har).Length / 1048576.0:N0} MiB, peak working set {peak.PeakMiB:N0} MiB (start {peak.StartMiB:N0} MiB), "
    + $"allocated {(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)Math.Max(1, exported):N0} B/entry, "
    + $"collections gen0/1/2 {GC.CollectionCount(0) - gen0Before}/{GC.CollectionCount(1) - gen1Before}/{GC.CollectionCount(2) - gen2Before}");
}

if (skipImport)
{
    if (!keep)
    {
        File.Delete(har);
        if (reuse is null) store.Delete(sessionId);
    }
    return;
}
GC.Collect();
var importAllocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
var importGen0 = GC.CollectionCount(0);
var importGen1 = GC.CollectionCount(1);
var importClock = Stopwatch.StartNew();
var importPeak = new PeakMemory();
var imported = await HarImport.RunAsync(store, new HarImportOptions { HarFile = har, MaxDiskMb = 1_000_000 }, progress: null, default);
importClock.Stop();
importPeak.Stop();
Console.WriteLine($"import: {imported.Summary.ImportedEntries:N0} entries in {importClock.Elapsed.TotalSeconds:N1} s = {imported.Summary.ImportedEntries / importClock.Elapsed.TotalSeconds:N0} entries/s, "
    + $"peak working set {importPeak.PeakMiB:N0} MiB, allocated {(GC.GetTotalAllocatedBytes(precise: true) - importAllocatedBefore) / (double)Math.Max(1, imported.Summary.ImportedEntries):N0} B/entry, "
    + $"collections gen0/1 {GC.CollectionCount(0) - importGen0}/{GC.CollectionCount(1) - importGen1}");
if (imported.Summary.IndexBacklog > 0)
{
    // A big import returns once its rows are stored; its full-text index is finished in the background.
    var importedPath = Path.Combine(store.DirectoryOf(imported.Manifest.Id), SessionDatabase.FileName);
    var indexClock = Stopwatch.StartNew();
    store.Indexing.WaitFor(importedPath, Timeout.InfiniteTimeSpan);
    var total = importClock.Elapsed + indexClock.Elapsed;
    Console.WriteLine($"import: full-text index of {imported.Summary.IndexBacklog:N0} entries built in the background in {indexClock.Elapsed.TotalSeconds:N1} s; "
        + $"searchable end to end after {total.TotalSeconds:N1} s = {imported.Summary.ImportedEntries / total.TotalSeconds:N0} entries/s");
}

if (!keep)
{
    store.Delete(imported.Manifest.Id);
    File.Delete(har);
    if (reuse is null) store.Delete(sessionId);
}

static async Task<string> Generate(SessionStore store, int count)
{
    // Traffic is generated in chunks outside the timed part, so the figure is the writer's, not the generator's.
    await using var recorder = new SessionRecorder(store);
    var manifest = await recorder.StartAsync(new SessionStartOptions { Profile = CaptureProfile.Full, MaxDiskMb = 1_000_000, Name = "bench" });
    var generator = new TrafficGenerator(42);
    var writing = TimeSpan.Zero;
    const int chunk = 50_000;
    for (long start = 0; start < count; start += chunk)
    {
        var items = new List<PendingExchange>(chunk);
        for (var i = start; i < Math.Min(count, start + chunk); i++) items.Add(generator.Next(i));
        var clock = Stopwatch.StartNew();
        foreach (var item in items)
        {
            while (recorder.Status().QueuedWrites > 20_000) await Task.Delay(2);
            if (!recorder.Record(item)) throw new InvalidOperationException("dropped");
        }
        while (recorder.Status().QueuedWrites > 0) await Task.Delay(2);
        writing += clock.Elapsed;
        var done = Math.Min(count, start + chunk);
        if (done % 200_000 == 0 || done == count)
            Console.WriteLine($"  stored {done:N0}: {done / writing.TotalSeconds:N0}/s, index backlog {recorder.Status().IndexBacklog:N0}");
    }
    var backlog = recorder.Status().IndexBacklog;
    var stopClock = Stopwatch.StartNew();
    var final = await recorder.StopAsync();
    stopClock.Stop();
    Console.WriteLine($"stored (committed, durable, full profile): {final!.ExchangeCount:N0} in {writing.TotalSeconds:N1} s of writer time = "
        + $"{final.ExchangeCount / writing.TotalSeconds:N0} exchanges/s, dropped {final.DroppedWrites}; index backlog {backlog:N0} caught up at stop in {stopClock.Elapsed.TotalSeconds:N1} s");
    return manifest.Id;
}

static void RunQueries(SessionStore store, string sessionId, string mode)
{
    using var session = store.Open(sessionId);
    Console.WriteLine($"## queries ({mode})");
    Query(session, "status_code=500, newest 50", new SessionQuery { StatusCode = 500 });
    Query(session, "method=POST + hostname_contains=api1", new SessionQuery { Method = "POST", HostnameContains = "api1" });
    Query(session, "one-hour window", new SessionQuery { FromTs = TrafficGenerator.Start + 3_600_000, ToTs = TrafficGenerator.Start + 7_200_000 });
    Query(session, "url_contains rare (/orders/4242)", new SessionQuery { UrlContains = "/orders/4242" });
    Query(session, "url_contains common (/v1/users/)", new SessionQuery { UrlContains = "/v1/users/" });
    Query(session, "url_contains common, offset 50,000", new SessionQuery { UrlContains = "/v1/users/" }, offset: 50_000);
    Query(session, "url_contains 2 chars (q=)", new SessionQuery { UrlContains = "q=" });
    Query(session, "url_contains + method=POST", new SessionQuery { UrlContains = "/v1/users/", Method = "POST" });
    Query(session, "no filter, offset 500,000", new SessionQuery(), offset: 500_000);
    Query(session, "text=auth/token + status 404", new SessionQuery { Text = "auth/token", StatusCode = 404 });
    Query(session, "text=exchange id fragment", new SessionQuery { Text = "-4a" });
    if (mode != "sql") return;

    var word = "email";
    Search(session, $"body search '{word}' (common, limit 10)", new BodySearchOptions { Text = word });
    Search(session, "body search rare word + prefix", new BodySearchOptions { Text = "zq" });
    Search(session, "body search '\"tags\":[' (no word start)", new BodySearchOptions { Text = "\"tags\":[" });
    Search(session, "body search missing word", new BodySearchOptions { Text = "doesnotexistanywhere" });
    Search(session, "body search case-sensitive + host filter", new BodySearchOptions { Text = "Bearer", Scope = SearchScope.Headers, CaseSensitive = true, Filter = new SessionQuery { HostnameContains = "svc" } });
    // The oldest-first walk's worst case: a filter no record passes reads the whole table.
    Search(session, "body search, host filter matching nothing", new BodySearchOptions { Text = "email", Filter = new SessionQuery { HostnameContains = "no-such-host" } });
}

static void Query(SessionReader session, string label, SessionQuery query, int offset = 0)
{
    session.Query(query, offset, 50); // warm the page cache once, as a live session would be
    var times = new List<double>();
    long total = 0;
    for (var i = 0; i < 5; i++)
    {
        var clock = Stopwatch.StartNew();
        (total, _) = session.Query(query, offset, 50);
        times.Add(clock.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    Console.WriteLine($"query {label}: total {total:N0}, median {times[2]:N1} ms (min {times[0]:N1}, max {times[4]:N1})");
}

static void Search(SessionReader session, string label, BodySearchOptions options)
{
    BodySearch.Run(session, options);
    var times = new List<double>();
    BodySearchResult? result = null;
    for (var i = 0; i < 5; i++)
    {
        var clock = Stopwatch.StartNew();
        result = BodySearch.Run(session, options);
        times.Add(clock.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    Console.WriteLine($"search {label}: {result!.Matches.Count} matches, scanned {result.Scanned}, median {times[2]:N1} ms (max {times[4]:N1})");
}

/// <summary>Samples the working set every 50 ms.</summary>
internal sealed class PeakMemory
{
    private readonly Timer _timer;
    private long _peak;

    public PeakMemory()
    {
        StartMiB = Environment.WorkingSet / 1048576.0;
        _timer = new Timer(_ => Sample(), null, 0, 50);
    }

    public double StartMiB { get; }
    public double PeakMiB => Interlocked.Read(ref _peak) / 1048576.0;

    private void Sample()
    {
        var now = Environment.WorkingSet;
        long current;
        while (now > (current = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, current) != current) { }
    }

    public void Stop()
    {
        Sample();
        _timer.Dispose();
    }
}
