using System.Buffers;
using System.Text;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Engine.Listening;

/// <summary>
/// Recognises the head of a CONNECT request on a raw connection. Kestrel parses every other request; this one has to be
/// read before Kestrel because what follows it (TLS or not) decides which middleware runs next.
/// </summary>
internal static class ConnectRequest
{
    private static ReadOnlySpan<byte> Connect => "CONNECT "u8;
    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    /// <summary>Largest CONNECT head we accept before giving up (headers included).</summary>
    public const int MaxHeadBytes = 64 * 1024;

    /// <summary>True when the buffer can no longer be a CONNECT request (so Kestrel should see it).</summary>
    public static bool IsNotConnect(ReadOnlySequence<byte> buffer)
    {
        var length = (int)Math.Min(buffer.Length, Connect.Length);
        Span<byte> start = stackalloc byte[length];
        buffer.Slice(0, length).CopyTo(start);
        return !Connect[..length].SequenceEqual(start);
    }

    /// <summary>
    /// Parses "CONNECT host:port HTTP/1.x" and its header fields once the whole head has arrived. Returns false while
    /// incomplete; <paramref name="headLength"/> is the number of bytes to consume.
    /// </summary>
    public static bool TryParse(ReadOnlySequence<byte> buffer, out ConnectHead head, out long headLength, out string? error)
    {
        head = new ConnectHead("", "", 0, []);
        headLength = 0;
        error = null;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> headBytes, HeadEnd, advancePastDelimiter: true))
        {
            if (buffer.Length > MaxHeadBytes) error = "CONNECT request head too large";
            return false;
        }
        headLength = reader.Consumed;
        var lines = Encoding.Latin1.GetString(headBytes).Split("\r\n");
        var parts = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            error = "malformed CONNECT request line";
            return true;
        }
        if (!TrySplitAuthority(parts[1], out var host, out var port))
        {
            error = $"CONNECT target '{Shorten(parts[1])}' is not host:port with a valid host name or IP address";
            return true;
        }
        head = new ConnectHead(parts[1], host, port, HeaderFields(lines.AsSpan(1)));
        return true;
    }

    /// <summary>The head's fields in arrival order with their case, for the capture of a raw tunnel.</summary>
    private static HeaderList HeaderFields(ReadOnlySpan<string> lines)
    {
        var fields = new HeaderList();
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':');
            if (colon > 0) fields.Add(line[..colon], line[(colon + 1)..].Trim(' ', '\t'));
        }
        return fields;
    }

    internal static bool TrySplitAuthority(string authority, out string host, out int port)
    {
        host = "";
        port = 0;
        int colon;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0) return false;
            host = authority[1..close];
            colon = close + 1;
            if (colon >= authority.Length || authority[colon] != ':') return false;
        }
        else
        {
            colon = authority.LastIndexOf(':');
            if (colon <= 0) return false;
            host = authority[..colon];
        }
        // A host that is neither a DNS name nor an IP address (user@host, a 300-character label) would only fail later,
        // when the tunnel is opened, far from the client that sent it.
        return int.TryParse(authority.AsSpan(colon + 1), out port) && port is > 0 and <= 65535
            && host.Length > 0 && Uri.CheckHostName(host) != UriHostNameType.Unknown;
    }

    private static string Shorten(string text) => text.Length <= 100 ? text : text[..100] + "…";
}

/// <summary>A parsed CONNECT head: the target as the request line had it, its host and port, and the header fields.</summary>
internal sealed record ConnectHead(string Target, string Host, int Port, HeaderList Headers);
