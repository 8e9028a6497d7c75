using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using ProxyMcp.Capture.Har;
using ProxyMcp.Capture.Sessions;
using ProxyMcp.Capture.Tests.Sessions;

namespace ProxyMcp.Capture.Tests.Har;

/// <summary>
/// A big import answers once its rows are stored and builds its full-text index in the background. Here "big" is
/// 100 entries and the indexer takes one row per transaction, so the build is slow enough to be caught mid-way.
/// </summary>
public sealed class HarImportBackgroundIndexTests : IAsyncLifetime
{
    private const int Entries = 2000;
    private readonly TempDirectory _temp = new();
    private SessionStore _store = null!;
    private string _harFile = null!;

    public async Task InitializeAsync()
    {
        _store = NewStore();
        await using var recorder = new SessionRecorder(_store);
        var exchanges = Enumerable.Range(0, Entries).Select(i => SessionTestData.Full(
            SessionTestData.Exchange($"e{i:D4}", $"http://import.test/items/{i}", responseType: "text/plain"),
            null, Encoding.UTF8.GetBytes($"payload number{i} of the import")));
        var session = await SessionTestData.RecordAsync(recorder, CaptureProfile.Full, exchanges);
        _harFile = _temp.Combine("big.har");
        using var reader = _store.Open(session);
        await HarExport.WriteAsync(reader, new HarExportOptions { OutputFile = _harFile, Query = new SessionQuery { Descending = false } }, null, default);
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private SessionStore NewStore() => new(_temp.Combine("sessions"))
    {
        Indexing = new BackgroundIndexer { DeferAtRows = 100, Slice = 1 },
    };

    [Fact]
    public async Task A_big_import_answers_with_every_row_queryable_and_search_waits_for_the_index()
    {
        var progress = new List<SessionProgress>();
        var imported = await HarImport.RunAsync(_store, new HarImportOptions { HarFile = _harFile }, new ListProgress(progress), default);

        Assert.Equal(Entries, imported.Summary.ImportedEntries);
        Assert.Equal(Entries, imported.Summary.IndexBacklog);
        // Reading is the whole of a big import: progress grows to its total without waiting for the index.
        Assert.True(progress.Count >= 2);
        Assert.True(progress.Zip(progress.Skip(1)).All(p => p.Second.Done >= p.First.Done));
        Assert.True(progress[^2].Done > progress[^1].Total / 2);
        Assert.Equal(progress[^1].Total, progress[^1].Done);
        using var reader = _store.Open(imported.Manifest.Id);
        // Rows not yet indexed are still found by substring filters and counted.
        Assert.Equal(1, reader.Query(new SessionQuery { UrlContains = "/items/1999" }, 0, 10).Total);
        Assert.Equal(Entries, reader.Query(new SessionQuery { Text = "import.test" }, 0, 10).Total);

        var found = BodySearch.Run(reader, new BodySearchOptions { Text = "number1999" });

        Assert.Equal("/items/1999", new Uri(Assert.Single(found.Matches).Url).AbsolutePath);
        Assert.Equal(0, found.IndexBacklog);
        Assert.False(_store.Indexing.IsRunning(reader.DatabasePath));
    }

    [Fact]
    public async Task A_search_that_cannot_wait_reports_the_backlog_it_did_not_read()
    {
        var imported = await HarImport.RunAsync(_store, new HarImportOptions { HarFile = _harFile }, null, default);
        var path = Path.Combine(_store.DirectoryOf(imported.Manifest.Id), SessionDatabase.FileName);
        long backlog;
        using (var blocker = SessionDatabase.OpenWrite(path))
        using (var writeLock = blocker.BeginTransaction())
        {
            // Holding the write lock freezes the background build between two slices.
            backlog = Count(blocker, "SELECT count(*) FROM unindexed", writeLock);
            Assert.InRange(backlog, 1, Entries);
            using var reader = _store.Open(imported.Manifest.Id);

            var partial = BodySearch.Run(reader, new BodySearchOptions { Text = "number1999", IndexWait = TimeSpan.Zero });

            // The newest entry is neither in the index yet nor among the oldest max_scan unindexed rows read directly.
            Assert.Empty(partial.Matches);
            Assert.Equal(backlog, partial.IndexBacklog);
            Assert.Equal(backlog, _store.IndexBacklog(imported.Manifest.Id));
        }

        using var after = _store.Open(imported.Manifest.Id);
        var complete = BodySearch.Run(after, new BodySearchOptions { Text = "number1999" });
        Assert.Single(complete.Matches);
        Assert.Equal(0, complete.IndexBacklog);
        Assert.Equal(0, _store.IndexBacklog(imported.Manifest.Id));
    }

    [Fact]
    public async Task A_build_cut_short_by_the_process_ending_resumes_when_the_session_is_next_opened()
    {
        var imported = await HarImport.RunAsync(_store, new HarImportOptions { HarFile = _harFile }, null, default);
        var path = Path.Combine(_store.DirectoryOf(imported.Manifest.Id), SessionDatabase.FileName);
        _store.Indexing.Stop(path);
        using (var check = SessionDatabase.OpenRead(path, pooled: false))
            Assert.InRange(Count(check, "SELECT count(*) FROM unindexed"), 1, Entries);

        // A new process: its store has never seen the session.
        var restarted = new SessionStore(_temp.Combine("sessions"));
        using var reader = restarted.Open(imported.Manifest.Id);
        Assert.True(restarted.Indexing.WaitFor(path, TimeSpan.FromSeconds(60)));

        Assert.Equal(0, Count(reader.Connection, "SELECT count(*) FROM unindexed"));
        Assert.Single(BodySearch.Run(reader, new BodySearchOptions { Text = "number1999" }).Matches);
    }

    [Fact]
    public async Task Deleting_a_session_stops_its_background_build()
    {
        var imported = await HarImport.RunAsync(_store, new HarImportOptions { HarFile = _harFile }, null, default);
        var directory = _store.DirectoryOf(imported.Manifest.Id);

        _store.Delete(imported.Manifest.Id);

        Assert.False(Directory.Exists(directory));
        Assert.False(_store.Indexing.IsRunning(Path.Combine(directory, SessionDatabase.FileName)));
    }

    [Fact]
    public async Task Recovery_stops_the_background_build_and_rebuilds_the_whole_index()
    {
        var imported = await HarImport.RunAsync(_store, new HarImportOptions { HarFile = _harFile }, null, default);

        var report = Assert.Single(SessionRecovery.Recover(_store, imported.Manifest.Id));

        Assert.Equal(Entries, report.Exchanges);
        using var reader = _store.Open(imported.Manifest.Id);
        Assert.Equal(0, Count(reader.Connection, "SELECT count(*) FROM unindexed"));
        var found = BodySearch.Run(reader, new BodySearchOptions { Text = "number1999", IndexWait = TimeSpan.Zero });
        Assert.Single(found.Matches);
    }

    [Fact]
    public void An_import_cut_short_by_the_process_ending_says_so_and_recovers_into_a_consistent_session()
    {
        // What a killed import leaves: a session still marked active, its secondary indexes dropped, nobody holding its lock.
        var (manifest, directory, connection) = _store.Create("cut-short", CaptureProfile.Full, 1024, origin: "har");
        SessionDatabase.Execute(connection, SessionDatabase.DropExchangeIndexes);
        connection.Dispose();

        var listed = _store.Get(manifest.Id);

        Assert.Equal(SessionStatus.Stopped, listed.Status);
        Assert.Equal(SessionStore.InterruptedImportMessage, listed.LastError);
        Assert.Single(SessionRecovery.Recover(_store, manifest.Id));
        using var check = SessionDatabase.OpenRead(Path.Combine(directory, SessionDatabase.FileName), pooled: false);
        Assert.Equal(5, Count(check, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name LIKE 'exchanges_%'"));
        Assert.Equal(SessionStatus.Stopped, _store.Get(manifest.Id).Status);
    }

    private sealed class ListProgress(List<SessionProgress> reports) : IProgress<SessionProgress>
    {
        public void Report(SessionProgress value) => reports.Add(value);
    }

    private static long Count(SqliteConnection connection, string sql, SqliteTransaction? transaction = null) =>
        Convert.ToInt64(SessionDatabase.Scalar(connection, sql, transaction), CultureInfo.InvariantCulture);
}
