using System.Diagnostics;
using System.Net;
using System.Net.Security;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Engine.Upstream;

namespace ProxyMcp.Capture.Replay;

/// <summary>
/// Sends replays to the target through the given upstream proxies (the proxy's own upstream configuration, so a replay
/// leaves the machine the way live traffic does) or directly, verifying origin certificates with the proxy's
/// <see cref="OriginTrust"/> (extra roots, insecure flag) read at send time; no redirects followed, no automatic
/// decompression (the wire bytes are what gets recorded), no cookie container (stored Cookie headers are sent as they
/// were). The timeout covers the whole exchange, body included.
/// </summary>
public sealed class DirectReplaySender(IWebProxy? upstream = null, Func<OriginTrust>? trust = null) : IReplaySender, IDisposable
{
    /// <summary>Response bytes kept per replay; the rest is read and counted but not stored.</summary>
    public const long MaxResponseBytes = 256L * 1024 * 1024;

    private static readonly HashSet<string> ContentHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-type", "content-encoding", "content-language", "content-disposition", "content-range", "content-location",
        "content-md5", "expires", "last-modified", "allow",
    };

    private readonly Lock _lock = new();
    // Clients made for an earlier policy: kept (requests may still run on them) and disposed with the sender.
    private readonly List<HttpMessageInvoker> _retired = [];
    private (OriginTrust Trust, HttpMessageInvoker Client)? _current;

    /// <summary>
    /// The client for the current policy. A new one when the policy changed (a proxy_start with another insecure_upstream),
    /// so a pooled connection accepted under the old policy is never reused under a stricter one.
    /// </summary>
    private HttpMessageInvoker Client()
    {
        var policy = trust?.Invoke() ?? OriginTrust.Default;
        lock (_lock)
        {
            if (_current is { } current && current.Trust == policy) return current.Client;
            if (_current is { } old) _retired.Add(old.Client);
            var client = new HttpMessageInvoker(new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = upstream is not null,
                Proxy = upstream,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.None,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                ConnectTimeout = TimeSpan.FromSeconds(30),
                SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = policy.CreateValidator() },
            });
            _current = (policy, client);
            return client;
        }
    }

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
            using var response = await Client().SendAsync(message, timeout.Token).ConfigureAwait(false);
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

    public void Dispose()
    {
        lock (_lock)
        {
            _current?.Client.Dispose();
            foreach (var client in _retired) client.Dispose();
            _retired.Clear();
            _current = null;
        }
    }
}
