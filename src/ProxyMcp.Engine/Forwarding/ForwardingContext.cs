using System.Diagnostics;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Engine.Forwarding;

/// <summary>Mutable facts gathered while one request is forwarded; frozen into an <see cref="Exchange"/> at the end.</summary>
internal sealed class ForwardingContext : IDisposable
{
    public ForwardingContext(int tapBytes, BodyCapturePolicy? bodyCapture)
    {
        RequestBody = new BodyTap(tapBytes);
        ResponseBody = new BodyTap(tapBytes);
        if (bodyCapture is not null)
        {
            RequestBody.Spool = new BodySpool(bodyCapture);
            ResponseBody.Spool = new BodySpool(bodyCapture);
        }
    }

    public string Id { get; } = ExchangeIds.NewId();
    public long Timestamp { get; } = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    public long Started { get; } = Stopwatch.GetTimestamp();

    public required string HttpVersion { get; init; }
    public required string Method { get; init; }
    public required string Url { get; init; }
    public required string Hostname { get; init; }
    public required string Path { get; init; }
    public required HeaderList RequestHeaders { get; init; }
    public ClientTls? ClientTls { get; init; }
    public string? ClientEndPoint { get; init; }
    public string? ClientTarget { get; init; }

    public BodyTap RequestBody { get; }
    public BodyTap ResponseBody { get; }

    public int? StatusCode { get; set; }
    /// <summary>host:port the request was sent to (for server TLS facts).</summary>
    public string? UpstreamOrigin { get; set; }
    public ServerTls? ServerTls { get; set; }
    public string StatusMessage { get; set; } = "";
    public HeaderList? ResponseHeaders { get; set; }
    public ExchangeError? Error { get; set; }
    public string? MatchedRuleId { get; set; }
    public bool WebSocket { get; set; }
    public double? RequestSentMs { get; set; }
    public double? ResponseHeadersMs { get; set; }
    public double? ResponseDoneMs { get; set; }

    public double ElapsedMs => Stopwatch.GetElapsedTime(Started).TotalMilliseconds;

    public double MsAt(long stopwatchTimestamp) => Stopwatch.GetElapsedTime(Started, stopwatchTimestamp).TotalMilliseconds;

    /// <summary>Builds the immutable record, decoding previews; runs off the request path.</summary>
    public Exchange ToExchange()
    {
        // After a WebSocket upgrade both "bodies" are frame streams: previewed as messages, never as frame bytes.
        var requestPreview = WebSocket
            ? WebSocketPreview.Create(RequestBody.Prefix, RequestBody.Total)
            : BodyPreview.Create(RequestBody.Prefix, RequestHeaders.Get("Content-Encoding"), RequestHeaders.Get("Content-Type"), RequestBody.IsComplete);
        ExchangeResponse? response = null;
        if (StatusCode is { } status && ResponseHeaders is not null)
        {
            response = new ExchangeResponse
            {
                StatusCode = status,
                StatusMessage = StatusMessage,
                Headers = ResponseHeaders,
                BodyPreview = WebSocket ? WebSocketPreview.Create(ResponseBody.Prefix, ResponseBody.Total) : BodyPreview.Create(ResponseBody.Prefix, ResponseHeaders.Get("Content-Encoding"),
                    ResponseHeaders.Get("Content-Type"), ResponseBody.IsComplete),
                BodySize = ResponseBody.Total,
            };
        }
        CapturedBodies? bodies = null;
        if (RequestBody.Spool is { } requestSpool && ResponseBody.Spool is { } responseSpool)
        {
            bodies = new CapturedBodies(requestSpool.Complete(), responseSpool.Complete());
            RequestBody.Spool = null;
            ResponseBody.Spool = null;
        }
        var exchange = new Exchange
        {
            Bodies = bodies,
            ClientEndPoint = ClientEndPoint,
            ClientTarget = ClientTarget,
            Id = Id,
            Timestamp = Timestamp,
            HttpVersion = HttpVersion,
            Request = new ExchangeRequest
            {
                Method = Method,
                Url = Url,
                Hostname = Hostname,
                Path = Path,
                Headers = RequestHeaders,
                BodyPreview = requestPreview,
                BodySize = RequestBody.Total,
            },
            Response = response,
            Tls = ClientTls is null && ServerTls is null ? null : new ExchangeTls { Client = ClientTls, Server = ServerTls },
            Duration = ResponseDoneMs is { } done ? Math.Round(done) : null,
            MatchedRuleId = MatchedRuleId,
            Error = Error,
            WebSocket = WebSocket,
            Timings = new ExchangeTimings
            {
                RequestSentMs = RequestSentMs,
                ResponseHeadersMs = ResponseHeadersMs,
                ResponseDoneMs = ResponseDoneMs,
            },
        };
        Dispose();
        return exchange;
    }

    public void Dispose()
    {
        RequestBody.Dispose();
        ResponseBody.Dispose();
    }
}
