using ProxyMcp.Capture.Live;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Tests.Live;

public sealed class LiveCaptureTests
{
    [Fact]
    public void Evicts_oldest_first_beyond_capacity_and_keeps_lookup_consistent()
    {
        var capture = new LiveCapture(capacity: 3);
        var exchanges = Enumerable.Range(1, 5).Select(i => Sample($"id{i}", $"http://h{i}.test/p")).ToList();
        exchanges.ForEach(capture.Add);

        Assert.Equal(3, capture.Count);
        Assert.Equal(5, capture.TotalAdded);
        Assert.Equal(2, capture.Evicted);
        Assert.Equal(["id3", "id4", "id5"], capture.Snapshot().Select(e => e.Id));
        Assert.Null(capture.Find("id1"));
        Assert.NotNull(capture.Find("id5"));
    }

    [Fact]
    public void Concurrent_adds_never_exceed_capacity_for_long_and_lose_no_index_entry()
    {
        var capture = new LiveCapture(capacity: 1000);
        Parallel.For(0, 20_000, i => capture.Add(Sample($"c{i}", "http://x.test/")));

        Assert.Equal(1000, capture.Count);
        Assert.Equal(20_000, capture.TotalAdded);
        var held = capture.Snapshot();
        Assert.Equal(1000, held.Count);
        Assert.All(held, e => Assert.Equal(e.Request.Url, capture.Find(e.Id)?.Request.Url));
    }

    [Fact]
    public void Query_filters_then_pages_and_reports_the_filtered_total()
    {
        var capture = new LiveCapture();
        for (var i = 0; i < 10; i++)
        {
            capture.Add(Sample($"g{i}", $"http://api.example.test/items/{i}", method: i % 2 == 0 ? "GET" : "POST", status: i < 5 ? 200 : 404));
        }
        capture.Add(Sample("other", "http://other.test/", status: 200));

        var (total, page) = capture.Query(new TrafficFilter { Method = "get", HostnameContains = "EXAMPLE" }, offset: 1, limit: 2);
        Assert.Equal(5, total);
        Assert.Equal(["g2", "g4"], page.Select(e => e.Id));

        var (notFound, _) = capture.Query(new TrafficFilter { StatusCode = 404, UrlContains = "ITEMS/7" }, 0, 50);
        Assert.Equal(1, notFound);

        var (noResponse, _) = capture.Query(new TrafficFilter { StatusCode = 200 }, 0, 50);
        Assert.Equal(6, noResponse);

        Assert.Equal(0, capture.Query(new TrafficFilter { Source = "transparent" }, 0, 50).Total);
        Assert.Equal(11, capture.Query(new TrafficFilter { Source = "explicit" }, 0, 50).Total);

        var (all, middle) = capture.Query(new TrafficFilter(), offset: 9, limit: 5);
        Assert.Equal(11, all);
        Assert.Equal(["g9", "other"], middle.Select(e => e.Id));
        Assert.Empty(capture.Query(new TrafficFilter(), offset: 11, limit: 5).Page);
    }

    [Fact]
    public void Search_looks_in_url_header_names_and_values_and_both_previews_case_insensitively()
    {
        var capture = new LiveCapture();
        capture.Add(Sample("url", "http://needle.test/"));
        capture.Add(Sample("reqheader", "http://a.test/", requestHeader: ("X-Token", "NeEdLe-123")));
        capture.Add(Sample("headername", "http://a.test/", requestHeader: ("X-Needle", "v")));
        capture.Add(Sample("respbody", "http://a.test/", responseBody: "{\"value\":\"NEEDLE\"}"));
        capture.Add(Sample("none", "http://a.test/"));

        var (total, matches) = capture.Search("needle", limit: 3);
        Assert.Equal(4, total);
        Assert.Equal(["url", "reqheader", "headername"], matches.Select(e => e.Id));
    }

    [Fact]
    public void Clear_returns_the_count_and_empties_everything()
    {
        var capture = new LiveCapture();
        capture.Add(Sample("a", "http://a.test/"));
        capture.Add(Sample("b", "http://b.test/"));
        Assert.Equal(2, capture.Clear());
        Assert.Equal(0, capture.Count);
        Assert.Null(capture.Find("a"));
        Assert.Equal(0, capture.Clear());
    }

    internal static Exchange Sample(string id, string url, string method = "GET", int? status = 200,
        (string Name, string Value)? requestHeader = null, string responseBody = "")
    {
        var uri = new Uri(url);
        var headers = new HeaderList { { "Host", uri.Authority } };
        if (requestHeader is { } h) headers.Add(h.Name, h.Value);
        return new Exchange
        {
            Id = id,
            Timestamp = 1_700_000_000_000,
            HttpVersion = "HTTP/1.1",
            Request = new ExchangeRequest
            {
                Method = method, Url = url, Hostname = uri.Host, Path = uri.PathAndQuery, Headers = headers, BodyPreview = "", BodySize = 0,
            },
            Response = status is null ? null : new ExchangeResponse
            {
                StatusCode = status.Value, StatusMessage = "OK", Headers = [], BodyPreview = responseBody, BodySize = responseBody.Length,
            },
            Timings = new ExchangeTimings(),
        };
    }
}
