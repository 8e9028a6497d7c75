using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Interceptors.Browser;

namespace ProxyMcp.Interceptors.Tests.Browser;

public sealed class NetworkFieldQueryTests
{
    [Fact]
    public void One_row_per_header_request_then_response_with_joined_lower_cased_names()
    {
        var exchange = Exchanges.Create("https://example.com/a", timestamp: 5_000, clientTarget: "browser_1_1",
            responseHeaders: new HeaderList { { "Set-Cookie", "a=1" }, { "set-cookie", "b=2" }, { "Content-Type", "text/html" } });

        var rows = new NetworkFieldQuery { SinceTimestamp = 5_000 }.Apply([exchange]);

        Assert.Equal(["request host", "request user-agent", "response set-cookie", "response content-type"],
            rows.Select(r => $"{r.Id.Direction} {r.HeaderName}"));
        Assert.Equal("a=1, b=2", rows[2].Value);
        Assert.Equal("a=1, b=2", NetworkFieldQuery.FindValue(exchange, "response", "SET-COOKIE"));
        Assert.Null(NetworkFieldQuery.FindValue(exchange, "request", "cookie"));
        Assert.Equal(rows[2].Id, NetworkFieldId.TryParse(rows[2].Id.ToString()));
    }

    [Fact]
    public void Filters_by_time_target_direction_header_and_traffic_fields()
    {
        Exchange[] exchanges =
        [
            Exchanges.Create("https://old.example.com/", timestamp: 999, clientTarget: "browser_1_1"),
            Exchanges.Create("https://api.example.com/x", timestamp: 1_000, method: "POST", status: 201, clientTarget: "browser_1_1"),
            Exchanges.Create("https://cdn.example.com/y", timestamp: 1_500, clientTarget: "browser_1_1"),
            Exchanges.Create("https://api.example.com/z", timestamp: 2_000, clientTarget: "proc_7"),
            Exchanges.Create("https://api.example.com/n", timestamp: 2_000, status: null, clientTarget: "browser_1_1"),
        ];
        var mine = new NetworkFieldQuery { SinceTimestamp = 1_000, ClientTarget = "browser_1_1" };

        Assert.Equal(3, mine.Apply(exchanges).Select(r => r.Exchange).Distinct().Count());
        Assert.Equal(4, (mine with { ClientTarget = null }).Apply(exchanges).Select(r => r.Exchange).Distinct().Count());
        Assert.All((mine with { Direction = "response" }).Apply(exchanges), r => Assert.Equal("response", r.Id.Direction));
        Assert.Equal(["user-agent"], (mine with { HeaderNameContains = "AGENT" }).Apply(exchanges).Select(r => r.HeaderName).Distinct());
        Assert.Equal("/x", Assert.Single((mine with { Method = "post", Direction = "request", HeaderNameContains = "host" }).Apply(exchanges)).Exchange.Request.Path);
        Assert.Equal("/x", (mine with { StatusCode = 201 }).Apply(exchanges).Select(r => r.Exchange.Request.Path).Distinct().Single());
        Assert.Equal("/y", (mine with { HostnameContains = "CDN" }).Apply(exchanges).Select(r => r.Exchange.Request.Path).Distinct().Single());
        Assert.Equal("/n", (mine with { UrlContains = "/N" }).Apply(exchanges).Select(r => r.Exchange.Request.Path).Distinct().Single());
    }
}
