using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Replay;

/// <summary>
/// The one step of a replay that touches the network; <see cref="DirectReplaySender"/> goes through the proxy's upstream
/// configuration when given it.
/// </summary>
public interface IReplaySender
{
    Task<ReplayResponse> SendAsync(ReplayRequest request, CancellationToken cancellationToken);
}

/// <summary>A request to send: method, absolute URL, headers as stored (hop-by-hop removed) and the full raw body.</summary>
public sealed record ReplayRequest(string Method, Uri Url, HeaderList Headers, byte[]? Body, TimeSpan Timeout);

/// <summary>What came back; <see cref="Body"/> is the raw wire body, cut at the sender's cap when <see cref="Truncated"/>.</summary>
public sealed record ReplayResponse(int StatusCode, string ReasonPhrase, string HttpVersion, HeaderList Headers, byte[] Body, bool Truncated,
    double HeadersMs, double DoneMs);
