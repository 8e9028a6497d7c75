using System.Collections.Frozen;
using Microsoft.Extensions.Primitives;

namespace ProxyMcp.Engine.Forwarding;

/// <summary>
/// Puts each header of a request to the origin where HttpClient wants it: content headers (Content-Type,
/// Content-Language, …) on the message's content, every other header on the message. HttpClient throws "Misused header
/// name" when either collection is asked to remove the other's names, and silently refuses to add them.
/// </summary>
internal static class UpstreamRequestHeaders
{
    // HttpClient's known content headers: exactly the names HttpRequestHeaders refuses.
    private static readonly FrozenSet<string> ContentHeaderNames = new[]
    {
        "Allow", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length", "Content-Location",
        "Content-MD5", "Content-Range", "Content-Type", "Expires", "Last-Modified",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static bool IsContentHeader(string name) => ContentHeaderNames.Contains(name);

    /// <summary>Adds the values; a content header on a bodyless request gets an empty content to carry it.</summary>
    public static void Add(HttpRequestMessage request, string name, StringValues values)
    {
        var headers = IsContentHeader(name) ? (request.Content ??= new HeaderCarrier()).Headers : (System.Net.Http.Headers.HttpHeaders)request.Headers;
        // One value is the common case: adding it as a string avoids boxing the StringValues into an enumerable.
        if (values.Count == 1) headers.TryAddWithoutValidation(name, values.ToString());
        else headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
    }

    public static void Remove(HttpRequestMessage request, string name)
    {
        if (!IsContentHeader(name)) request.Headers.Remove(name);
        else request.Content?.Headers.Remove(name);
    }

    /// <summary>
    /// Drops an empty content that no longer carries a header (a rule removed them all), so the request leaves as
    /// bodyless as it came. A carrier that stays costs a <c>Content-Length: 0</c> the client did not send: HttpClient
    /// writes content headers only with a content, and a content without a length would be sent chunked.
    /// </summary>
    public static void Settle(HttpRequestMessage request)
    {
        if (request.Content is not HeaderCarrier carrier) return;
        foreach (var (name, _) in carrier.Headers.NonValidated)
        {
            if (!string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase)) return;
        }
        request.Content = null;
        carrier.Dispose();
    }

    /// <summary>The empty body of a request that had none but carries content headers.</summary>
    private sealed class HeaderCarrier() : ByteArrayContent([]);
}
