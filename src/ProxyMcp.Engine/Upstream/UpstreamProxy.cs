namespace ProxyMcp.Engine.Upstream;

/// <summary>
/// One upstream proxy setting as the tools give it: a URL (http, https, socks4, socks4a, socks5, socks5h, pac+http(s))
/// with optional credentials, and hosts that bypass it.
/// </summary>
public sealed record UpstreamProxy
{
    public static readonly string[] Schemes = ["http", "https", "socks", "socks4", "socks4a", "socks5", "socks5h", "pac+http", "pac+https"];

    private UpstreamProxy(string proxyUrl, Uri uri, IReadOnlyList<string> noProxy)
    {
        ProxyUrl = proxyUrl;
        Uri = uri;
        NoProxy = noProxy;
    }

    /// <summary>The URL as given (credentials included: never show it, use <see cref="MaskedUrl"/>).</summary>
    public string ProxyUrl { get; }

    public Uri Uri { get; }

    public IReadOnlyList<string> NoProxy { get; }

    public string Scheme => Uri.Scheme;

    public bool IsPac => Scheme.StartsWith("pac+", StringComparison.Ordinal);

    /// <summary>The URL with any password replaced by "****".</summary>
    public string MaskedUrl
    {
        get
        {
            if (string.IsNullOrEmpty(Uri.UserInfo)) return ProxyUrl;
            var user = Uri.UserInfo.Split(':', 2)[0];
            var builder = new UriBuilder(Uri) { UserName = user, Password = Uri.UserInfo.Contains(':') ? "****" : "" };
            return builder.Uri.ToString().TrimEnd('/');
        }
    }

    /// <summary>Validates a proxy URL and a no_proxy list; the message says what to fix.</summary>
    public static UpstreamProxy Parse(string proxyUrl, IReadOnlyList<string?>? noProxy = null)
    {
        if (string.IsNullOrWhiteSpace(proxyUrl)) throw new ArgumentException("proxy_url must not be empty");
        if (!Uri.TryCreate(proxyUrl.Trim(), UriKind.Absolute, out var uri))
            throw new ArgumentException($"proxy_url '{proxyUrl}' is not a URL; expected e.g. http://host:3128 or socks5://user:pass@host:1080");
        var scheme = uri.Scheme.ToLowerInvariant();
        if (!Schemes.Contains(scheme))
            throw new ArgumentException($"proxy_url scheme '{scheme}' is not supported; use one of {string.Join(", ", Schemes)}");
        if (string.IsNullOrEmpty(uri.Host)) throw new ArgumentException($"proxy_url '{proxyUrl}' has no host");
        if (!scheme.StartsWith("pac+", StringComparison.Ordinal) && uri.AbsolutePath is not ("/" or ""))
            throw new ArgumentException($"proxy_url '{proxyUrl}' must not have a path (only pac+http(s) URLs point at a file)");
        // The tools' schema lets no_proxy items be null (as JSON can send them): skipped like blank entries.
        var bypass = (noProxy ?? []).Select(e => e?.Trim()).Where(e => e is { Length: > 0 }).Select(e => e!).ToArray();
        foreach (var entry in bypass)
        {
            if (entry.Contains('/') && !entry.Contains("::"))
                throw new ArgumentException($"no_proxy entry '{entry}' must be a host, .suffix, *.suffix, host:port or IP address");
        }
        return new UpstreamProxy(proxyUrl.Trim(), uri, bypass);
    }

    /// <summary>True when <paramref name="host"/>:<paramref name="port"/> is on the bypass list (connect directly).</summary>
    public bool Bypasses(string host, int port) => NoProxyList.Matches(NoProxy, host, port);
}
