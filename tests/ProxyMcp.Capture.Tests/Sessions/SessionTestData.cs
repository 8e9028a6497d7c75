using System.IO.Compression;
using System.Text;
using ProxyMcp.Capture.Sessions;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Tests.Sessions;

/// <summary>Exchanges and folders for the session tests.</summary>
internal static class SessionTestData
{
    public static Exchange Exchange(string id, string url, string method = "GET", int? status = 200, long timestamp = 1_700_000_000_000,
        string? responseBody = null, string? responseType = "application/json", string? requestBody = null, double? duration = 12.5,
        string? ja3 = null, string? ja4 = null, string? rule = null, HeaderList? responseHeaders = null, HeaderList? requestHeaders = null)
    {
        var uri = new Uri(url);
        var reqHeaders = requestHeaders ?? new HeaderList { { "Host", uri.Authority }, { "User-Agent", "test/1.0" } };
        var respHeaders = responseHeaders ?? new HeaderList();
        if (responseHeaders is null && responseType is not null) respHeaders.Add("Content-Type", responseType);
        return new Exchange
        {
            Id = id,
            Timestamp = timestamp,
            HttpVersion = "HTTP/1.1",
            Request = new ExchangeRequest
            {
                Method = method,
                Url = url,
                Hostname = uri.Host,
                Path = uri.PathAndQuery,
                Headers = reqHeaders,
                BodyPreview = requestBody is null ? "" : BodyPreview.Cap(requestBody),
                BodySize = requestBody is null ? 0 : Encoding.UTF8.GetByteCount(requestBody),
            },
            Response = status is { } code
                ? new ExchangeResponse
                {
                    StatusCode = code,
                    StatusMessage = code == 200 ? "OK" : "Status",
                    Headers = respHeaders,
                    BodyPreview = responseBody is null ? "" : BodyPreview.Cap(responseBody),
                    BodySize = responseBody is null ? 0 : Encoding.UTF8.GetByteCount(responseBody),
                }
                : null,
            Tls = ja3 is null && ja4 is null ? null : new ExchangeTls { Client = new ClientTls { Ja3Fingerprint = ja3, Ja4Fingerprint = ja4, SniHostname = uri.Host } },
            Duration = duration,
            MatchedRuleId = rule,
            Timings = new ExchangeTimings { RequestSentMs = 1, ResponseHeadersMs = 5, ResponseDoneMs = duration },
        };
    }

    /// <summary>A pending exchange with full bodies (raw wire bytes) for the full profile.</summary>
    public static PendingExchange Full(Exchange exchange, byte[]? requestBody, byte[]? responseBody) =>
        new(exchange, requestBody is null ? null : BodyInput.FromBytes(requestBody), responseBody is null ? null : BodyInput.FromBytes(responseBody));

    public static byte[] Gzip(string text)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(Encoding.UTF8.GetBytes(text));
        return output.ToArray();
    }

    /// <summary>Starts a session, records the given exchanges through the real writer, stops it; returns its id.</summary>
    public static async Task<string> RecordAsync(SessionRecorder recorder, CaptureProfile profile, IEnumerable<PendingExchange> exchanges, string? name = null)
    {
        var manifest = await recorder.StartAsync(new SessionStartOptions { Profile = profile, Name = name });
        foreach (var pending in exchanges) Assert.True(recorder.Record(pending));
        await recorder.StopAsync();
        return manifest.Id;
    }
}

/// <summary>A temporary folder deleted after the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "proxymcp-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
