using System.Net;

namespace ProxyMcp.Engine.Upstream;

/// <summary>
/// curl-style no_proxy matching: "host" (and its subdomains), ".suffix" or "*.suffix" (subdomains and the domain),
/// "host:port" (that port only), an IP literal (that IP only), or "*" for everything.
/// </summary>
public static class NoProxyList
{
    public static bool Matches(IReadOnlyList<string> entries, string host, int port)
    {
        host = host.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        var hostIsIp = IPAddress.TryParse(host, out var hostIp);
        foreach (var raw in entries)
        {
            var entry = raw.Trim().ToLowerInvariant();
            if (entry == "*") return true;
            var (name, entryPort) = SplitPort(entry);
            if (entryPort is not null && entryPort != port) continue;
            if (name.StartsWith("*.", StringComparison.Ordinal)) name = name[2..];
            else if (name.StartsWith('.')) name = name[1..];
            if (name.Length == 0) continue;
            if (IPAddress.TryParse(name, out var entryIp))
            {
                if (hostIsIp && entryIp.Equals(hostIp)) return true;
                continue;
            }
            if (hostIsIp) continue;
            if (host == name || host.EndsWith("." + name, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private static (string Name, int? Port) SplitPort(string entry)
    {
        if (entry.StartsWith('['))
        {
            var close = entry.IndexOf(']');
            if (close > 0)
            {
                var host = entry[1..close];
                return close + 1 < entry.Length && entry[close + 1] == ':' && int.TryParse(entry.AsSpan(close + 2), out var p6) ? (host, p6) : (host, null);
            }
        }
        var colon = entry.LastIndexOf(':');
        // A bare IPv6 address has several colons and no port.
        if (colon > 0 && entry.IndexOf(':') == colon && int.TryParse(entry.AsSpan(colon + 1), out var port)) return (entry[..colon], port);
        return (entry, null);
    }
}
