using System.Diagnostics;
using System.Net;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Replay;

/// <summary>
/// Sends replays to the target with one shared client, through the given upstream proxies (the proxy's own upstream
/// configuration, so a replay leaves the machine the way live traffic does) or directly; no redirects followed, no automatic
/// decompression (the wire bytes are what gets recorded), no cookie container (stored Cookie headers are sent as they
/// were), normal certificate validation. The timeout covers the whole exchange, body included.
/// </summary>
public sealed class DirectReplaySender(IWebProxy? upstream = null) : IReplaySender, IDisposable
{
    /// <summary>Response bytes kept per replay; the rest is read and counted but not stored.</summary>
    public const long MaxResponseBytes = 256L * 1024 * 1024;

    private static readonly HashSet<string> ContentHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-type", "content-encoding", "content-language", "content-disposition", "content-range", "content-location",
        "content-md5", "expires", "last-modified", "allow",
    };

    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseProxy = upstream is not null,
        Proxy = upstream,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(30),
    });

    public async Task<ReplayResponse> SendAsync(ReplayRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(request.Timeout);
        var clock = Stopwatch.StartNew();
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Url);
        if (request.Body is { Length: > 0 } body) message.Content = new ByteArrayContent(body);
        foreach (var (name, value) in request.Headers)
        {
            if (ContentHeaders.Contains(name))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, value);
                continue;
            }
            message.Headers.TryAddWithoutValidation(name, value);
        }
        try
        {
            using var response = await _client.SendAsync(message, timeout.Token).ConfigureAwait(false);
            var headersMs = clock.Elapsed.TotalMilliseconds;
            var headers = new HeaderList();
            foreach (var header in response.Headers)
                foreach (var value in header.Value) headers.Add(header.Key, value);
            foreach (var header in response.Content.Headers)
                foreach (var value in header.Value) headers.Add(header.Key, value);
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            var buffer = new MemoryStream();
            var chunk = new byte[81920];
            var truncated = false;
            while (true)
            {
                var read = await stream.ReadAsync(chunk, timeout.Token).ConfigureAwait(false);
                if (read == 0) break;
                var room = (int)Math.Min(read, MaxResponseBytes - buffer.Length);
                if (room < read) truncated = true;
                if (room > 0) buffer.Write(chunk, 0, room);
            }
            return new ReplayResponse((int)response.StatusCode, response.ReasonPhrase ?? "", "HTTP/" + response.Version.ToString(2), headers,
                buffer.ToArray(), truncated, headersMs, clock.Elapsed.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Timed out after {request.Timeout.TotalMilliseconds:0} ms.");
        }
    }

    public void Dispose() => _client.Dispose();
}
