using System.Text.Json;
using ProxyMcp.Capture.Serialization;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Tests.Support;

namespace ProxyMcp.Tests.Serialization;

public sealed class ExchangeJsonTests
{
    private static JsonElement Write(Exchange exchange)
    {
        using var document = JsonDocument.Parse(ExchangeJson.ToJson(exchange));
        return document.RootElement.Clone();
    }

    [Fact]
    public void Uses_the_captured_exchange_field_names_in_order_then_our_extras()
    {
        var exchange = SampleExchanges.Create(
            tls: new ExchangeTls
            {
                Client = new ClientTls { SniHostname = "api.example.com", ClientAlpn = ["h2", "http/1.1"], Ja3Fingerprint = "j3", Ja4Fingerprint = "j4" },
                Server = new ServerTls { Protocol = "TLSv1.3" },
            }) with { MatchedRuleId = "rule_1", ClientEndPoint = "127.0.0.1:5000" };

        var json = Write(exchange);

        Assert.Equal(
            ["id", "timestamp", "source", "request", "response", "tls", "duration", "matchedRuleId",
             "httpVersion", "timings", "websocket", "clientEndPoint"],
            json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["method", "url", "hostname", "path", "headers", "bodyPreview", "bodySize", "rawHeaders"],
            json.GetProperty("request").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["statusCode", "statusMessage", "headers", "bodyPreview", "bodySize", "rawHeaders"],
            json.GetProperty("response").EnumerateObject().Select(p => p.Name));
        Assert.Equal("""{"sniHostname":"api.example.com","clientAlpn":["h2","http/1.1"],"ja3Fingerprint":"j3","ja4Fingerprint":"j4"}""",
            json.GetProperty("tls").GetProperty("client").GetRawText());
        Assert.Equal("/v1/items?x=1", json.GetProperty("request").GetProperty("path").GetString());
        Assert.Equal("""{"requestSentMs":1.5,"responseHeadersMs":10,"responseDoneMs":12.346}""", json.GetProperty("timings").GetRawText());
    }

    [Fact]
    public void Leaves_out_what_did_not_happen_and_reports_the_error()
    {
        var exchange = SampleExchanges.Create(status: null, source: null, error: new ExchangeError(ExchangeErrorKind.DnsFailure, "no such host"));

        var json = Write(exchange);

        Assert.False(json.TryGetProperty("source", out _));
        Assert.False(json.TryGetProperty("response", out _));
        Assert.False(json.TryGetProperty("tls", out _));
        Assert.False(json.TryGetProperty("duration", out _));
        Assert.Equal("""{"code":"dns","message":"no such host"}""", json.GetProperty("error").GetRawText());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("timings").GetProperty("responseDoneMs").ValueKind);
    }

    [Fact]
    public void Headers_are_joined_lower_case_and_raw_headers_keep_the_wire_form()
    {
        var exchange = SampleExchanges.Create(requestHeaders: new HeaderList { { "Accept", "a" }, { "X-Dup", "1" }, { "x-dup", "2" } });

        var request = Write(exchange).GetProperty("request");

        Assert.Equal("""{"accept":"a","x-dup":"1, 2"}""", request.GetProperty("headers").GetRawText());
        Assert.Equal("""[["Accept","a"],["X-Dup","1"],["x-dup","2"]]""", request.GetProperty("rawHeaders").GetRawText());
    }

    [Fact]
    public void Keeps_quotes_markup_and_unicode_readable()
    {
        var exchange = SampleExchanges.Create(responseBody: "<p class=\"x\">héllo & ☃</p>");

        Assert.Contains("<p class=\\\"x\\\">héllo & ☃</p>", ExchangeJson.ToJson(exchange));
    }
}
