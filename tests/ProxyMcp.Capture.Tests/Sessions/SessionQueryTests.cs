using ProxyMcp.Capture.Sessions;

namespace ProxyMcp.Capture.Tests.Sessions;

public sealed class SessionQueryTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private SessionStore _store = null!;
    private string _id = null!;

    public async Task InitializeAsync()
    {
        _store = new SessionStore(_temp.Path);
        await using var recorder = new SessionRecorder(_store);
        var exchanges = new List<PendingExchange>();
        for (var i = 0; i < 30; i++)
        {
            var host = i % 3 == 0 ? "api.example.com" : i % 3 == 1 ? "cdn.example.net" : "other.test";
            exchanges.Add(new PendingExchange(SessionTestData.Exchange($"id-{i:D2}", $"https://{host}/items/{i}?page={i % 5}",
                method: i % 4 == 0 ? "POST" : "GET", status: i == 29 ? null : i % 10 == 0 ? 500 : 200, timestamp: 1_000_000 + i * 1000,
                rule: i == 7 ? "rule_7" : null, ja3: i % 2 == 0 ? "ja3-" + i : null)));
        }
        _id = await SessionTestData.RecordAsync(recorder, CaptureProfile.Preview, exchanges);
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private (long Total, List<string> Ids) Run(SessionQuery query, int offset = 0, int limit = 50)
    {
        using var reader = _store.Open(_id);
        var (total, items) = reader.Query(query, offset, limit);
        return (total, items.Select(e => e.ExchangeId).ToList());
    }

    [Fact]
    public void Sorts_by_timestamp_newest_first_by_default_and_pages()
    {
        var (total, ids) = Run(new SessionQuery(), offset: 2, limit: 3);
        Assert.Equal(30, total);
        Assert.Equal(["id-27", "id-26", "id-25"], ids);
        Assert.Equal(["id-00", "id-01"], Run(new SessionQuery { Descending = false }, 0, 2).Ids);
    }

    [Fact]
    public void Filters_combine_in_sql()
    {
        Assert.Equal(8, Run(new SessionQuery { Method = "post" }).Total);
        Assert.Equal(3, Run(new SessionQuery { StatusCode = 500 }).Total);
        Assert.Equal(10, Run(new SessionQuery { HostnameContains = "EXAMPLE.COM" }).Total);
        Assert.Equal(["id-00"], Run(new SessionQuery { HostnameContains = "api.", StatusCode = 500 }).Ids);
        Assert.Equal(["id-27", "id-21"], Run(new SessionQuery { HostnameContains = "api.", Method = "GET" }, 0, 2).Ids);
        Assert.Equal(["id-12"], Run(new SessionQuery { UrlContains = "ITEMS/12?" }).Ids);
        Assert.Equal(6, Run(new SessionQuery { UrlContains = "page=1" }).Total);
        Assert.Equal(["id-05", "id-04", "id-03"], Run(new SessionQuery { FromTs = 1_003_000, ToTs = 1_005_000 }).Ids);
        Assert.Equal(["id-07"], Run(new SessionQuery { Text = "rule_7" }).Ids);
        Assert.Equal(["id-13"], Run(new SessionQuery { Text = "id-13" }).Ids);
        // Short needles (no trigram) still work, through LIKE.
        Assert.Equal(30, Run(new SessionQuery { UrlContains = "it" }).Total);
        // LIKE wildcards in a needle are literal.
        Assert.Equal(0, Run(new SessionQuery { UrlContains = "items/1_" }).Total);
        Assert.Equal(0, Run(new SessionQuery { UrlContains = "%" }).Total);
        // No response: never matches a status filter.
        Assert.DoesNotContain("id-29", Run(new SessionQuery { StatusCode = 200 }).Ids);
    }

    [Fact]
    public void Index_entries_have_the_spec_fields()
    {
        using var reader = _store.Open(_id);
        var entry = reader.FindById("id-00")!;
        Assert.Equal(1, entry.Seq);
        Assert.Equal("POST", entry.Method);
        Assert.Equal("api.example.com", entry.Hostname);
        Assert.Equal("/items/0?page=0", entry.Path);
        Assert.Equal(500, entry.StatusCode);
        Assert.True(entry.HasResponse);
        Assert.Equal("application/json", entry.ResponseContentType);
        Assert.Equal("ja3-0", entry.Ja3);
        Assert.False(entry.HasFullResponseBody);
        Assert.False(reader.FindById("id-29")!.HasResponse);
        Assert.Null(reader.FindById("nope"));
        Assert.Equal("id-03", reader.FindBySeq(4)!.ExchangeId);
    }

    [Fact]
    public void Handshakes_and_statistics_are_computed_over_every_row()
    {
        using var reader = _store.Open(_id);
        var page = SessionStatistics.Handshakes(reader, new SessionQuery { HostnameContains = "example" }, 0, 2);
        Assert.Equal(20, page.Total);
        Assert.Equal(10, page.WithTlsMetadata);
        Assert.Equal(10, page.WithoutTlsMetadata);
        Assert.Equal(2, page.Items.Count);

        var totals = SessionStatistics.Totals(reader);
        Assert.Equal(30, totals.Exchanges);
        Assert.Equal(13, totals.AvgDurationMs); // 12.5 rounds away from zero
        Assert.Equal(("api.example.com", 10L), totals.TopHostnames[0]);
        Assert.Contains((500, 3L), totals.Statuses);
        Assert.Equal(("POST", 8L), totals.Methods[0]);

        var timeline = SessionStatistics.Timeline(reader);
        Assert.Equal(30, timeline.Sum(b => b.Count));
        Assert.Equal(3, timeline.Sum(b => b.ErrorCount));
        Assert.All(timeline, b => Assert.Equal(0, b.BucketStart % 60_000));

        var findings = SessionStatistics.Findings(reader);
        Assert.Equal(3, findings.HighErrorEndpoints.Count);
        Assert.Equal(10, findings.SlowestExchanges.Count);
        Assert.Equal("api.example.com", findings.HostErrorRates[0].Hostname);
        Assert.Equal(0.1, findings.HostErrorRates[0].ErrorRate, 3);
    }
}
