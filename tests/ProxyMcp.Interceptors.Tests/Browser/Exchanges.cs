using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Interceptors.Tests.Browser;

/// <summary>Hand-built exchanges for the browser tools' pure parts.</summary>
internal static class Exchanges
{
    public static Exchange Create(string url, long timestamp = 1_000, string method = "GET", int? status = 200, string? clientTarget = null,
        HeaderList? requestHeaders = null, HeaderList? responseHeaders = null)
    {
        var uri = new Uri(url);
        return new Exchange
        {
            Id = Guid.NewGuid().ToString(),
            Timestamp = timestamp,
            HttpVersion = "HTTP/1.1",
            ClientTarget = clientTarget,
            Request = new ExchangeRequest
            {
                Method = method,
                Url = url,
                Hostname = uri.Host,
                Path = uri.PathAndQuery,
                Headers = requestHeaders ?? new HeaderList { { "Host", uri.Authority }, { "User-Agent", "Chrome/1" } },
                BodyPreview = "",
                BodySize = 0,
            },
            Response = status is { } code
                ? new ExchangeResponse
                {
                    StatusCode = code,
                    StatusMessage = "OK",
                    Headers = responseHeaders ?? new HeaderList { { "Content-Type", "text/html" } },
                    BodyPreview = "",
                    BodySize = 0,
                }
                : null,
            Timings = new ExchangeTimings(),
        };
    }
}
