using System.Reflection;
using ProxyMcp.Capture.Live;
using ProxyMcp.Capture.Serialization;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Tests.Live;

public sealed class ExchangePackerTests
{
    [Fact]
    public void Every_field_survives_packing()
    {
        var exchange = new Exchange
        {
            Id = "6f1c2b7e-0d1a-4c3b-9e8f-0a1b2c3d4e5f",
            Timestamp = 1_763_900_000_123,
            Source = "transparent",
            HttpVersion = "HTTP/2",
            Request = new ExchangeRequest
            {
                Method = "POST",
                Url = "https://api.example.test/v1/ünïcode?q=1",
                Hostname = "api.example.test",
                Path = "/v1/ünïcode?q=1",
                Headers = new HeaderList { { "Content-Type", "application/json" }, { "X-Repeat", "a" }, { "x-repeat", "b" } },
                BodyPreview = "{\"a\":1}",
                BodySize = 7,
            },
            Response = new ExchangeResponse
            {
                StatusCode = 201,
                StatusMessage = "Created",
                Headers = new HeaderList { { "Set-Cookie", "a=1" }, { "Set-Cookie", "b=2" } },
                BodyPreview = new string('x', 5000),
                BodySize = 123_456_789_012,
            },
            Tls = new ExchangeTls
            {
                Client = new ClientTls
                {
                    SniHostname = "api.example.test",
                    ClientAlpn = ["h2", "http/1.1"],
                    Ja3Fingerprint = "ja3hash",
                    Ja4Fingerprint = "t13d1516h2_8daaf6152771_02713d6af862",
                    Ja3 = "771,4865-4866,0-23,29-23,0",
                    Ja4Raw = "raw",
                    OfferedVersions = ["TLSv1.3", "TLSv1.2"],
                    NegotiatedProtocol = "TLSv1.3",
                    NegotiatedAlpn = "h2",
                },
                Server = new ServerTls { Protocol = "TLSv1.3", Cipher = "TLS_AES_128_GCM_SHA256", Ja3sFingerprint = "s", Ja3s = "771,4865,43", Alpn = "h2" },
            },
            Duration = 12.5,
            MatchedRuleId = "rule_7",
            Error = new ExchangeError(ExchangeErrorKind.ResponseBodyFromOrigin, "reset after 10 bytes"),
            Timings = new ExchangeTimings { RequestSentMs = 0.25, ResponseHeadersMs = null, ResponseDoneMs = 12.5 },
            WebSocket = true,
            ClientEndPoint = "127.0.0.1:50000",
            ClientTarget = "proc_42",
        };

        var unpacked = ExchangePacker.Unpack(ExchangePacker.Pack(exchange));

        Assert.Equal(ExchangeJson.ToJson(exchange), ExchangeJson.ToJson(unpacked));
        Assert.Equal(exchange.Request.Headers, unpacked.Request.Headers);
        Assert.Equal(exchange.Response!.Headers, unpacked.Response!.Headers);
        Assert.Equal(exchange.Tls.Client!.ClientAlpn, unpacked.Tls!.Client!.ClientAlpn);
        Assert.Equal(exchange.Tls.Client.OfferedVersions, unpacked.Tls.Client.OfferedVersions);
        Assert.Equal(exchange.Tls.Server, unpacked.Tls.Server);
        Assert.Equal(exchange.Error, unpacked.Error);
        Assert.Equal(exchange.Timings, unpacked.Timings);
        Assert.Equal((exchange.Source, exchange.ClientEndPoint, exchange.ClientTarget, exchange.WebSocket, exchange.Duration),
            (unpacked.Source, unpacked.ClientEndPoint, unpacked.ClientTarget, unpacked.WebSocket, unpacked.Duration));
        Assert.True(ExchangePacker.HasId(ExchangePacker.Pack(exchange), System.Text.Encoding.UTF8.GetBytes(exchange.Id)));
        Assert.False(ExchangePacker.HasId(ExchangePacker.Pack(exchange), System.Text.Encoding.UTF8.GetBytes(exchange.Id[..^1] + "0")));
    }

    [Fact]
    public void Minimal_exchange_survives_packing()
    {
        var exchange = LiveCaptureTests.Sample("only-id", "http://h.test/", status: null);

        var unpacked = ExchangePacker.Unpack(ExchangePacker.Pack(exchange));

        Assert.Equal(ExchangeJson.ToJson(exchange), ExchangeJson.ToJson(unpacked));
        Assert.Null(unpacked.Response);
    }

    [Fact]
    public void The_packer_knows_every_exchange_property()
    {
        // A new property on the exchange model must be packed too, or the live capture would silently drop it.
        string[] packed = ["Id", "Timestamp", "Source", "HttpVersion", "Request", "Response", "Tls", "Duration", "MatchedRuleId",
            "Error", "Timings", "WebSocket", "ClientEndPoint", "ClientTarget", "Bodies"];
        var properties = typeof(Exchange).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.Name != "EqualityContract").Select(p => p.Name);
        Assert.Equal(packed.Order(), properties.Order());
        Assert.Equal(9, typeof(ClientTls).GetProperties().Count(p => p.Name != "EqualityContract"));
        Assert.Equal(5, typeof(ServerTls).GetProperties().Count(p => p.Name != "EqualityContract"));
        Assert.Equal(7, typeof(ExchangeRequest).GetProperties().Count(p => p.Name != "EqualityContract"));
        Assert.Equal(5, typeof(ExchangeResponse).GetProperties().Count(p => p.Name != "EqualityContract"));
    }
}
