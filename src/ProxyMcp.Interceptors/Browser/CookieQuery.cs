namespace ProxyMcp.Interceptors.Browser;

public enum CookieSort
{
    Name,
    Domain,
    Expires,
}

/// <summary>The filters and order of interceptor_browser_list_cookies (spec 5.9).</summary>
public sealed record CookieQuery
{
    /// <summary>Case-insensitive substring of domain + path.</summary>
    public string? UrlFilter { get; init; }
    /// <summary>Case-insensitive substring of the domain.</summary>
    public string? DomainFilter { get; init; }
    /// <summary>Case-insensitive substring of the name.</summary>
    public string? NameFilter { get; init; }
    public CookieSort Sort { get; init; } = CookieSort.Name;

    /// <summary>The matching cookies in the requested order: name then domain; domain then name; or expiry (session cookies first) then domain then name.</summary>
    public IReadOnlyList<BrowserCookie> Apply(IEnumerable<BrowserCookie> cookies)
    {
        var matching = cookies.Where(Matches);
        // proxy-mcp compared with localeCompare; the server runs with invariant globalization, so this is case-insensitive
        // ordinal with an ordinal tie-break, which sorts ASCII names the same way.
        var text = StringComparer.OrdinalIgnoreCase;
        IOrderedEnumerable<BrowserCookie> ordered = Sort switch
        {
            CookieSort.Domain => matching.OrderBy(c => c.Domain, text).ThenBy(c => c.Name, text),
            CookieSort.Expires => matching.OrderBy(c => c.Expires).ThenBy(c => c.Domain, text).ThenBy(c => c.Name, text),
            _ => matching.OrderBy(c => c.Name, text).ThenBy(c => c.Domain, text),
        };
        return [.. ordered.ThenBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Path, StringComparer.Ordinal)];
    }

    private bool Matches(BrowserCookie cookie)
    {
        const StringComparison ignoreCase = StringComparison.OrdinalIgnoreCase;
        if (UrlFilter is { } url && !(cookie.Domain + cookie.Path).Contains(url, ignoreCase)) return false;
        if (DomainFilter is { } domain && !cookie.Domain.Contains(domain, ignoreCase)) return false;
        if (NameFilter is { } name && !cookie.Name.Contains(name, ignoreCase)) return false;
        return true;
    }
}
