using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Tests.Support;

/// <summary>Hand-built exchanges, so tool logic can be tested without a network.</summary>
public static class SampleExchanges
{
    public static Exchange Create(
        string url = "https://api.example.com/v1/items?x=1",
        string method = "GET",
        int? status = 200,
        string requestBody = "",
        string responseBody = "{\"ok\":true}",
        string? source = "explicit",
        HeaderList? requestHeaders = null,
        HeaderList? responseHeaders = null,
        ExchangeError? error = null,
        ExchangeTls? tls = null)
    {
        var uri = new Uri(url);
        return new Exchange
        {
            Id = Guid.NewGuid().ToString(),
            Timestamp = 1_760_000_000_000,
            Source = source,
            HttpVersion = "HTTP/1.1",
            Request = new ExchangeRequest
            {
                Method = method,
                Url = url,
                Hostname = uri.Host,
                Path = uri.PathAndQuery,
                Headers = requestHeaders ?? new HeaderList { { "Host", uri.Authority }, { "User-Agent", "test/1.0" } },
                BodyPreview = requestBody,
                BodySize = requestBody.Length,
            },
            Response = status is { } code
                ? new ExchangeResponse
                {
                    StatusCode = code,
                    StatusMessage = "OK",
                    Headers = responseHeaders ?? new HeaderList { { "Content-Type", "application/json" } },
                    BodyPreview = responseBody,
                    BodySize = responseBody.Length,
                }
                : null,
            Tls = tls,
            Duration = status is null ? null : 12.3456789,
            Error = error,
            Timings = new ExchangeTimings { RequestSentMs = 1.5, ResponseHeadersMs = 10, ResponseDoneMs = status is null ? null : 12.3456789 },
        };
    }
}
