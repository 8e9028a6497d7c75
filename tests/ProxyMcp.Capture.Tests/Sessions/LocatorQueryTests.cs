using ProxyMcp.Capture.Sessions;

namespace ProxyMcp.Capture.Tests.Sessions;

/// <summary>
/// Substring filters answered from the in-memory locator columns must give exactly what SQL gives: same totals, same
/// pages, same order. Two stores over one folder: one that never holds columns (SQL), one that holds every session.
/// </summary>
public sealed class LocatorQueryTests : IAsyncLifetime
{
    private static readonly string[] Hosts = ["api.example.com", "CDN.Example.NET", "svc.internal.test", "xn--bcher-kva.example"];
    private static readonly string[] Resources = ["users", "orders", "Items", "auth/token", "search", "caf\u00e9", "a_b%c"];

    private readonly TempDirectory _temp = new();
    private SessionStore _sql = null!;
    private SessionStore _memory = null!;
    private string _id = null!;

    public async Task InitializeAsync()
    {
        _sql = new SessionStore(_temp.Path) { Locators = new LocatorCache { MinRows = long.MaxValue } };
        _memory = new SessionStore(_temp.Path) { Locators = new LocatorCache { MinRows = 0 } };
        await using var recorder = new SessionRecorder(_sql);
        _id = await SessionTestData.RecordAsync(recorder, CaptureProfile.Preview, Traffic(seed: 7, count: 3_000, firstIndex: 0));
        await _memory.Locators.StartLoading(DatabasePath(_memory));
        Assert.True(_memory.Locators.Holds(DatabasePath(_memory)));
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    public static TheoryData<string?, string?> Needles() => new()
    {
        { "/users/", null }, { "USERS", null }, { "api.example", null }, { "ple.com/ord", null }, { "caf\u00e9", null },
        { "CAF\u00c9", null }, { "a_b%c", null }, { "_", null }, { "%", null }, { "u", null }, { "/items/1", null },
        { "nowhere-at-all", null }, { "?page=3", null }, { "", null },
        { null, "auth/token" }, { null, "rule-3" }, { null, "ID-0001" }, { null, "example" }, { null, "svc.internal.test/" },
        { null, "host-only" }, { null, "-00" }, { null, "\u00c9T\u00c9" }, { null, "\u00e9t\u00e9" },
        { "/orders/", "rule" }, { "example", "auth" },
    };

    [Theory]
    [MemberData(nameof(Needles))]
    public void Substring_filters_give_what_sql_gives(string? url, string? text)
    {
        var others = new SessionQuery[]
        {
            new(), new() { StatusCode = 404 }, new() { Method = "POST" }, new() { HostnameContains = "example" },
            new() { FromTs = 1_000_500_000, ToTs = 1_001_500_000 }, new() { StatusCode = 200, Method = "GET" },
            new() { Method = "post", HostnameContains = "CDN." }, new() { Method = "PATCH" }, new() { HostnameContains = "host-only", ToTs = 1_002_000_000 },
        };
        foreach (var other in others)
        {
            foreach (var descending in new[] { true, false })
            {
                var query = other with { UrlContains = url, Text = text, Descending = descending };
                foreach (var (offset, limit) in new[] { (0, 50), (7, 3), (400, 100), (0, 5000), (10_000, 10) })
                {
                    var expected = Run(_sql, query, offset, limit);
                    var actual = Run(_memory, query, offset, limit);
                    Assert.Equal(expected.Total, actual.Total);
                    Assert.Equal(expected.Ids, actual.Ids);
                }
                using var reader = _memory.Open(_id);
                Assert.NotNull(LocatorQuery.TryRun(reader, query, 0, 10));
                using var sqlReader = _sql.Open(_id);
                Assert.Equal(sqlReader.Count(query), reader.Count(query));
            }
        }
    }

    [Fact]
    public async Task A_recording_session_is_caught_up_on_each_query()
    {
        var store = new SessionStore(_temp.Combine("live")) { Locators = new LocatorCache { MinRows = 0 } };
        await using var recorder = new SessionRecorder(store);
        var manifest = await recorder.StartAsync(new SessionStartOptions { Profile = CaptureProfile.Preview });
        foreach (var pending in Traffic(seed: 1, count: 500, firstIndex: 0)) Assert.True(recorder.Record(pending));
        await WaitForRows(store, manifest.Id, 500);
        await store.Locators.StartLoading(Path.Combine(store.DirectoryOf(manifest.Id), SessionDatabase.FileName));
        var query = new SessionQuery { UrlContains = "/users/" };
        var before = Count(store, manifest.Id, query);

        foreach (var pending in Traffic(seed: 2, count: 500, firstIndex: 500)) Assert.True(recorder.Record(pending));
        await WaitForRows(store, manifest.Id, 1_000);
        using var reader = store.Open(manifest.Id);
        var answer = LocatorQuery.TryRun(reader, query, 0, 1);
        Assert.NotNull(answer);
        Assert.True(answer.Value.Total > before);
        Assert.Equal(SqlCount(store, manifest.Id, query), answer.Value.Total);
        await recorder.StopAsync();
    }

    [Fact]
    public async Task Deleting_a_session_drops_its_columns()
    {
        var store = new SessionStore(_temp.Combine("deleted")) { Locators = new LocatorCache { MinRows = 0 } };
        await using var recorder = new SessionRecorder(store);
        var id = await SessionTestData.RecordAsync(recorder, CaptureProfile.Preview, Traffic(seed: 3, count: 100, firstIndex: 0));
        var path = Path.Combine(store.DirectoryOf(id), SessionDatabase.FileName);
        await store.Locators.StartLoading(path);
        Assert.True(store.Locators.Holds(path));
        store.Delete(id);
        Assert.False(store.Locators.Holds(path));
    }

    [Fact]
    public async Task A_session_past_the_memory_budget_is_left_to_sql()
    {
        var store = new SessionStore(_temp.Path) { Locators = new LocatorCache { MinRows = 0, BudgetBytes = 64 * 1024 } };
        var path = DatabasePath(store);
        await store.Locators.StartLoading(path);
        Assert.False(store.Locators.Holds(path));
        Assert.True(store.Locators.IsRefused(path));
        var query = new SessionQuery { UrlContains = "/users/" };
        Assert.Equal(Run(_sql, query, 0, 20), Run(store, query, 0, 20));
        // Refused once, not reloaded on every query.
        Run(store, query, 0, 20);
        Assert.False(store.Locators.Holds(path));
        Assert.True(store.Locators.IsRefused(path));
        using (var reader = store.Open(_id)) Assert.Null(LocatorQuery.TryRun(reader, query, 0, 10));
    }

    [Fact]
    public async Task The_first_substring_query_of_a_big_session_starts_the_load_and_is_answered_by_sql()
    {
        var store = new SessionStore(_temp.Path) { Locators = new LocatorCache { MinRows = 1_000 } };
        var query = new SessionQuery { Text = "auth/token", StatusCode = 200 };
        using (var reader = store.Open(_id)) Assert.Null(LocatorQuery.TryRun(reader, query, 0, 10));
        await store.Locators.StartLoading(DatabasePath(store));
        using (var reader = store.Open(_id)) Assert.NotNull(LocatorQuery.TryRun(reader, query, 0, 10));
        Assert.Equal(Run(_sql, query, 0, 20), Run(store, query, 0, 20));
    }

    [Fact]
    public async Task Any_query_of_a_big_session_starts_the_load_so_substring_filters_find_it_ready()
    {
        var store = new SessionStore(_temp.Path) { Locators = new LocatorCache { MinRows = 1_000 } };
        var path = DatabasePath(store);
        using (var reader = store.Open(_id)) reader.Query(new SessionQuery { StatusCode = 404 }, 0, 10);
        Assert.True(store.Locators.IsLoading(path) || store.Locators.Holds(path), "a plain query of a big session did not start the load");
        await store.Locators.StartLoading(path);
        Assert.True(store.Locators.Holds(path));

        var small = new SessionStore(_temp.Path) { Locators = new LocatorCache { MinRows = 3_001 } };
        using (var reader = small.Open(_id)) reader.Query(new SessionQuery { Method = "GET" }, 0, 10);
        Assert.False(small.Locators.Holds(path));
        Assert.False(small.Locators.IsLoading(path));
    }

    private string DatabasePath(SessionStore store) => Path.Combine(store.DirectoryOf(_id), SessionDatabase.FileName);

    private (long Total, string Ids) Run(SessionStore store, SessionQuery query, int offset, int limit)
    {
        using var reader = store.Open(_id);
        var (total, items) = reader.Query(query, offset, limit);
        return (total, string.Join(",", items.Select(e => e.ExchangeId)));
    }

    private static long Count(SessionStore store, string id, SessionQuery query)
    {
        using var reader = store.Open(id);
        return reader.Count(query);
    }

    private static long SqlCount(SessionStore store, string id, SessionQuery query)
    {
        using var reader = new SessionStore(store.Root) { Locators = new LocatorCache { MinRows = long.MaxValue } }.Open(id);
        return reader.Count(query);
    }

    private static async Task WaitForRows(SessionStore store, string id, long rows)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (SqlCount(store, id, new SessionQuery { FromTs = 0 }) < rows)
        {
            Assert.True(DateTime.UtcNow < deadline, "the writer did not store the rows in time");
            await Task.Delay(20);
        }
    }

    /// <summary>Varied traffic: mixed-case and non-ASCII URLs, LIKE wildcards in paths, timestamps out of seq order,
    /// rules, and hostnames that are not in their URL.</summary>
    private static IEnumerable<PendingExchange> Traffic(int seed, int count, int firstIndex)
    {
        var random = new Random(seed);
        for (var i = firstIndex; i < firstIndex + count; i++)
        {
            var host = Hosts[random.Next(Hosts.Length)];
            var resource = Resources[random.Next(Resources.Length)];
            var url = $"https://{host}/v1/{resource}/{random.Next(100)}" + (random.Next(3) == 0 ? $"?page={random.Next(10)}" : "");
            var status = random.Next(10) switch { < 6 => 200, < 8 => 404, 8 => 500, _ => (int?)null };
            var exchange = SessionTestData.Exchange($"id-{i:D4}", url, method: random.Next(4) == 0 ? "POST" : "GET", status: status,
                timestamp: 1_000_000_000 + i * 1000 + random.Next(-5_000, 5_000), rule: random.Next(5) == 0 ? $"rule-{random.Next(10)}" : null);
            if (random.Next(50) == 0) exchange = exchange with { Request = exchange.Request with { Hostname = "host-only.example" } };
            // A hostname that differs from its URL's only in the case of a non-ASCII letter: LIKE, which folds ASCII
            // only, finds "É" in the hostname and not in the URL, so the columns must keep this hostname too.
            else if (random.Next(60) == 0)
            {
                var accented = SessionTestData.Exchange($"id-{i:D4}", "https://été.example/v1/users/1", status: status,
                    timestamp: 1_000_000_000 + i * 1000);
                exchange = accented with { Request = accented.Request with { Hostname = "ÉTÉ.example" } };
            }
            yield return new PendingExchange(exchange);
        }
    }
}
