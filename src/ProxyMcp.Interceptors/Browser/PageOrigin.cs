namespace ProxyMcp.Interceptors.Browser;

/// <summary>The web origin (scheme://host[:port]) of a page URL, as location.origin gives it; only http(s) pages have one here.</summary>
public static class PageOrigin
{
    public static string? Of(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) return null;
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        return uri.IsDefaultPort ? $"{uri.Scheme}://{host}" : $"{uri.Scheme}://{host}:{uri.Port}";
    }

    /// <summary>The destination host of a URL, lower-cased: null when it cannot be parsed, "" for URLs without a host (about:blank).</summary>
    public static string? HostOf(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return null;
        return uri.Host.ToLowerInvariant();
    }
}
