using Microsoft.Data.Sqlite;
using ProxyMcp.Capture.Sessions;

namespace ProxyMcp.Capture.Tests.Sessions;

public sealed class SessionRecoveryTests
{
    private static async Task<(SessionStore Store, string Id)> SessionAsync(TempDirectory temp, int count = 200)
    {
        var store = new SessionStore(temp.Path);
        await using var recorder = new SessionRecorder(store);
        var id = await SessionTestData.RecordAsync(recorder, CaptureProfile.Full, Enumerable.Range(0, count).Select(i =>
            SessionTestData.Full(SessionTestData.Exchange("r" + i, $"http://host{i % 4}.test/path/{i}"), null,
                System.Text.Encoding.UTF8.GetBytes($"{{\"word\":\"needle{i}\",\"common\":\"haystack\"}}"))));
        return (store, id);
    }

    [Fact]
    public async Task Rebuilds_lost_full_text_indexes()
    {
        using var temp = new TempDirectory();
        var (store, id) = await SessionAsync(temp);
        var database = Path.Combine(store.DirectoryOf(id), SessionDatabase.FileName);
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var wipe = connection.CreateCommand();
            wipe.CommandText = "INSERT INTO text_index(text_index) VALUES('delete-all'); INSERT INTO locator_index(locator_index) VALUES('delete-all'); DELETE FROM hosts;"
                + " DROP INDEX exchanges_id; DROP INDEX exchanges_status;";
            wipe.ExecuteNonQuery();
        }
        SessionStore.ReleasePooledConnections(database);
        using (var broken = store.Open(id))
        {
            Assert.Empty(BodySearch.Run(broken, new BodySearchOptions { Text = "\"needle17\"", Limit = 5 }).Matches);
            Assert.Equal(0, broken.Count(new SessionQuery { UrlContains = "/path/17" }));
            Assert.Equal(0, broken.Count(new SessionQuery { HostnameContains = "host1" }));
        }

        var report = Assert.Single(SessionRecovery.Recover(store, id));
        Assert.Equal(200, report.Exchanges);
        Assert.Equal("ok", report.Integrity);
        Assert.False(report.WasInterrupted);
        using var reader = store.Open(id);
        Assert.Equal("r17", Assert.Single(BodySearch.Run(reader, new BodySearchOptions { Text = "\"needle17\"" }).Matches).ExchangeId);
        Assert.Equal(11, reader.Count(new SessionQuery { UrlContains = "/path/17" })); // 17, 170-179
        Assert.Equal(50, reader.Count(new SessionQuery { HostnameContains = "host1" }));
        Assert.Equal(SessionStatus.Clean, store.Get(id).RecoveryState);
        // Missing secondary indexes (an import killed before its last row) are recreated.
        Assert.Equal(5L, Convert.ToInt64(SessionDatabase.Scalar(reader.Connection,
            "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN ('exchanges_time', 'exchanges_id', 'exchanges_method', 'exchanges_status', 'exchanges_host')"),
            System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Salvages_what_it_can_from_a_damaged_file()
    {
        using var temp = new TempDirectory();
        var (store, id) = await SessionAsync(temp, count: 2000);
        var directory = store.DirectoryOf(id);
        var database = Path.Combine(directory, SessionDatabase.FileName);
        SessionStore.ReleasePooledConnections(database);
        // Scribble over a page in the middle of the file.
        await using (var file = new FileStream(database, FileMode.Open, FileAccess.ReadWrite))
        {
            var pages = file.Length / 4096;
            file.Position = pages / 2 * 4096;
            file.Write(Enumerable.Repeat((byte)0xA5, 4096).ToArray());
        }

        var report = Assert.Single(SessionRecovery.Recover(store, id));
        Assert.NotEqual("ok", report.Integrity);
        Assert.True(report.Exchanges > 0);
        Assert.True(report.Exchanges + report.RowsLost <= 2000);
        var manifest = store.Get(id);
        Assert.Equal(SessionStatus.Recovered, manifest.RecoveryState);
        Assert.Equal(report.Exchanges, manifest.ExchangeCount);
        using var reader = store.Open(id);
        Assert.Equal(report.Exchanges, reader.Count(new SessionQuery { UrlContains = "/path/" }));
        if (report.Integrity == "salvaged") Assert.Single(Directory.GetFiles(directory, "session.db.damaged-*"));
    }

    [Fact]
    public async Task Recovering_everything_skips_the_recording_session()
    {
        using var temp = new TempDirectory();
        var (store, stored) = await SessionAsync(temp, count: 5);
        await using var recorder = new SessionRecorder(store);
        var active = await recorder.StartAsync(new SessionStartOptions());

        var reports = SessionRecovery.Recover(store, null);
        Assert.Equal(2, reports.Count);
        Assert.Equal("skipped", reports.Single(r => r.SessionId == active.Id).Integrity);
        Assert.Equal(5, reports.Single(r => r.SessionId == stored).Exchanges);
        Assert.Contains("active", Assert.Throws<SessionException>(() => SessionRecovery.Recover(store, active.Id)).Message);
        await recorder.StopAsync();
    }
}
