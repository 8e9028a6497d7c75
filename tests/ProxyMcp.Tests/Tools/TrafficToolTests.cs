using System.Text.Json;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Results;
using ProxyMcp.Tests.Support;

namespace ProxyMcp.Tests.Tools;

/// <summary>The traffic tools over hand-built exchanges in the live capture.</summary>
public sealed class TrafficToolTests : IAsyncLifetime
{
    private InMemoryServer _server = null!;

    public async Task InitializeAsync() => _server = await InMemoryServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Exchange Add(Exchange exchange)
    {
        _server.Runtime.Capture.Add(exchange);
        return exchange;
    }

    [Fact]
    public async Task List_items_have_the_spec_fields_and_our_extras()
    {
        var tls = new ExchangeTls { Client = new ClientTls { Ja3Fingerprint = "0123456789abcdef0123456789abcdef", Ja4Fingerprint = "t13d1516h2_x_y" } };
        var ok = Add(SampleExchanges.Create(tls: tls));
        var failed = Add(SampleExchanges.Create(url: "http://down.example/", status: null, source: null,
            error: new ExchangeError(ExchangeErrorKind.ConnectionRefused, "refused")));

        var list = (await _server.CallAsync("proxy_list_traffic")).AssertSuccess();

        Assert.Equal(["status", "total", "offset", "limit", "showing", "exchanges"], list.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, list["total"].GetInt32());
        Assert.Equal(50, list["limit"].GetInt32());
        Assert.Equal(2, list["showing"].GetInt32());
        var first = list["exchanges"][0];
        Assert.Equal(
            ["id", "timestamp", "source", "method", "url", "hostname", "status", "duration", "requestSize", "responseSize", "ja3", "ja4", "httpVersion"],
            first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(ok.Id, first.GetProperty("id").GetString());
        Assert.Equal(200, first.GetProperty("status").GetInt32());
        Assert.Equal(12.346, first.GetProperty("duration").GetDouble());
        Assert.Equal("api.example.com", first.GetProperty("hostname").GetString());
        Assert.Equal("HTTP/1.1", first.GetProperty("httpVersion").GetString());

        var second = list["exchanges"][1];
        Assert.Equal(failed.Id, second.GetProperty("id").GetString());
        Assert.Equal("explicit", second.GetProperty("source").GetString()); // missing source shown as explicit
        Assert.Equal(JsonValueKind.Null, second.GetProperty("status").ValueKind);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("duration").ValueKind);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("responseSize").ValueKind);
        Assert.False(second.TryGetProperty("ja3", out _));
        Assert.Equal("refused", second.GetProperty("error").GetString());
    }

    [Fact]
    public async Task List_filters_and_pages()
    {
        Add(SampleExchanges.Create(url: "https://a.example/one", method: "GET", status: 200));
        Add(SampleExchanges.Create(url: "https://b.example/two", method: "POST", status: 201));
        Add(SampleExchanges.Create(url: "https://a.example/three", method: "GET", status: 404));
        Add(SampleExchanges.Create(url: "https://c.example/four", method: "GET", status: 200, source: "transparent"));

        async Task<string[]> Urls(object arguments)
        {
            var result = (await _server.CallAsync("proxy_list_traffic", arguments)).AssertSuccess();
            return [.. result["exchanges"].EnumerateArray().Select(e => e.GetProperty("url").GetString()!)];
        }

        Assert.Equal(["https://b.example/two"], await Urls(new { method_filter = "post" }));
        Assert.Equal(["https://a.example/three"], await Urls(new { status_filter = 404 }));
        Assert.Equal(["https://a.example/one", "https://a.example/three"], await Urls(new { hostname_filter = "A.EXAMPLE" }));
        Assert.Equal(["https://a.example/three"], await Urls(new { url_filter = "THREE" }));
        Assert.Equal(["https://c.example/four"], await Urls(new { source_filter = "transparent" }));
        Assert.Equal(["https://b.example/two", "https://a.example/three"], await Urls(new { offset = 1, limit = 2 }));

        var page = (await _server.CallAsync("proxy_list_traffic", new { offset = 3, limit = 2 })).AssertSuccess();
        Assert.Equal(4, page["total"].GetInt32());
        Assert.Equal(1, page["showing"].GetInt32());
    }

    [Fact]
    public async Task Get_exchange_returns_the_captured_exchange_document()
    {
        var exchange = Add(SampleExchanges.Create(responseHeaders: new HeaderList
        {
            { "Content-Type", "text/plain" }, { "Set-Cookie", "a=1" }, { "Set-Cookie", "b=2" },
        }));

        var result = (await _server.CallAsync("proxy_get_exchange", new { exchange_id = exchange.Id })).AssertSuccess();

        var document = result["exchange"];
        Assert.Equal(exchange.Id, document.GetProperty("id").GetString());
        var response = document.GetProperty("response");
        Assert.Equal("a=1, b=2", response.GetProperty("headers").GetProperty("set-cookie").GetString());
        Assert.Equal("""[["Content-Type","text/plain"],["Set-Cookie","a=1"],["Set-Cookie","b=2"]]""",
            response.GetProperty("rawHeaders").GetRawText());
    }

    [Fact]
    public async Task Search_covers_url_header_names_and_values_and_previews_and_reports_the_total()
    {
        var byUrl = Add(SampleExchanges.Create(url: "https://needle.example/"));
        var byHeaderName = Add(SampleExchanges.Create(requestHeaders: new HeaderList { { "X-Needle", "1" } }));
        var byHeaderValue = Add(SampleExchanges.Create(responseHeaders: new HeaderList { { "Server", "needle/2" } }));
        var byRequestBody = Add(SampleExchanges.Create(method: "POST", requestBody: "q=NEEDLE"));
        var byResponseBody = Add(SampleExchanges.Create(responseBody: "a needle in a haystack"));
        Add(SampleExchanges.Create(url: "https://hay.example/"));

        var all = (await _server.CallAsync("proxy_search_traffic", new { query = "needle" })).AssertSuccess();
        Assert.Equal(["status", "query", "matches", "total", "results"], all.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(5, all["matches"].GetInt32());
        Assert.Equal(5, all["total"].GetInt32());
        Assert.Equal([byUrl.Id, byHeaderName.Id, byHeaderValue.Id, byRequestBody.Id, byResponseBody.Id],
            all["results"].EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(["id", "timestamp", "method", "url", "status", "duration"],
            all["results"][0].EnumerateObject().Select(p => p.Name));

        var limited = (await _server.CallAsync("proxy_search_traffic", new { query = "needle", limit = 2, offset = 1 })).AssertSuccess();
        Assert.Equal(2, limited["matches"].GetInt32());
        Assert.Equal(5, limited["total"].GetInt32());
        Assert.Equal([byHeaderName.Id, byHeaderValue.Id], limited["results"].EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Clear_returns_how_many_were_held()
    {
        Add(SampleExchanges.Create());
        Add(SampleExchanges.Create());

        Assert.Equal(2, (await _server.CallAsync("proxy_clear_traffic")).AssertSuccess()["cleared"].GetInt32());
        Assert.Equal(0, (await _server.CallAsync("proxy_list_traffic")).AssertSuccess()["total"].GetInt32());
        Assert.Equal(0, (await _server.CallAsync("proxy_clear_traffic")).AssertSuccess()["cleared"].GetInt32());
    }

    [Fact]
    public async Task A_list_over_the_cap_is_shortened_to_valid_json_that_says_how_to_page()
    {
        for (var i = 0; i < 600; i++) Add(SampleExchanges.Create(url: $"https://big.example/{i}/" + new string('x', 200)));

        var first = (await _server.CallAsync("proxy_list_traffic", new { limit = 1000 })).AssertSuccess();

        Assert.True(first.Text.Length <= OutputCap.MaxChars, $"{first.Text.Length} chars");
        Assert.True(first["truncated"].GetBoolean());
        var showing = first["showing"].GetInt32();
        Assert.InRange(showing, 1, 599);
        Assert.Equal(showing, first["exchanges"].GetArrayLength());
        Assert.Equal(600, first["total"].GetInt32());
        Assert.Equal(showing, first["next_offset"].GetInt32());

        var next = (await _server.CallAsync("proxy_list_traffic", new { limit = 1000, offset = showing })).AssertSuccess();
        Assert.StartsWith($"https://big.example/{showing}/", next["exchanges"][0].GetProperty("url").GetString());
        Assert.Equal(2 * showing, next["next_offset"].GetInt32());
    }

    [Fact]
    public async Task One_huge_exchange_is_cut_field_wise_and_stays_valid_json()
    {
        var huge = Add(SampleExchanges.Create(responseBody: new string('b', 100_000), requestBody: new string('r', 50_000)));

        var result = (await _server.CallAsync("proxy_get_exchange", new { exchange_id = huge.Id })).AssertSuccess();

        Assert.True(result.Text.Length <= OutputCap.MaxChars, $"{result.Text.Length} chars");
        Assert.True(result["truncated"].GetBoolean());
        var exchange = result["exchange"];
        Assert.Equal(huge.Id, exchange.GetProperty("id").GetString());
        Assert.Contains("…[truncated ", exchange.GetProperty("response").GetProperty("bodyPreview").GetString());
        Assert.Equal(100_000, exchange.GetProperty("response").GetProperty("bodySize").GetInt32());
    }
}
