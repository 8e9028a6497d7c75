using Microsoft.Extensions.Primitives;

namespace ProxyMcp.Engine.Forwarding;

/// <summary>Headers that describe one connection and must not be copied to the next hop (RFC 9110 §7.6.1).</summary>
internal static class HopByHopHeaders
{
    private static readonly HashSet<string> Always = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Alt-Svc", "Http2-Settings",
    };

    /// <summary>
    /// True for the headers that frame a message on one connection (Content-Length and the hop-by-hop ones): the
    /// server writes them itself, so mocks and transforms must not.
    /// </summary>
    public static bool IsFraming(string name) =>
        string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase) || Always.Contains(name);

    /// <summary>True when <paramref name="name"/> is hop-by-hop here, including names listed in the Connection header.</summary>
    public static bool IsHopByHop(string name, StringValues connectionHeader)
    {
        if (Always.Contains(name)) return true;
        foreach (var value in connectionHeader)
        {
            if (value is null) continue;
            // Walk the comma-separated tokens without allocating: this runs for every header of every request.
            foreach (var range in value.AsSpan().Split(','))
            {
                if (value.AsSpan(range).Trim().Equals(name, StringComparison.OrdinalIgnoreCase)) return true;
            }
        }
        return false;
    }
}
