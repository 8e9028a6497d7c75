using Microsoft.Playwright;

namespace ProxyMcp.Interceptors.Browser;

/// <summary>One Web Storage entry of the page's origin.</summary>
public sealed record StorageEntry(string Key, string Value);

/// <summary>
/// Reads localStorage / sessionStorage of the page's current origin (spec 5.9): only http(s) pages have one, and a requested
/// origin must be the current one (storage of other origins is not reachable from the page).
/// </summary>
public static class PageStorage
{
    private const string ReadAll = """
        (kind) => {
          const store = kind === 'local' ? window.localStorage : window.sessionStorage;
          const entries = [];
          for (let i = 0; i < store.length; i++) { const k = store.key(i); entries.push([k, store.getItem(k) ?? '']); }
          return entries;
        }
        """;

    private const string ReadOne = """
        ([kind, key]) => (kind === 'local' ? window.localStorage : window.sessionStorage).getItem(key) ?? ''
        """;

    /// <summary>The page's origin, checked against the requested one; throws with proxy-mcp's messages.</summary>
    public static string CurrentOrigin(string pageUrl, string? requestedOrigin)
    {
        var current = PageOrigin.Of(pageUrl) ?? throw new InterceptorException($"No http(s) origin available for current page URL: '{pageUrl}'");
        if (requestedOrigin is { } requested && !string.Equals(requested.TrimEnd('/'), current, StringComparison.OrdinalIgnoreCase))
        {
            throw new InterceptorException($"origin '{requested}' does not match current origin '{current}'. Navigate first.");
        }
        return current;
    }

    /// <summary>Every entry, sorted by key (ordinal).</summary>
    public static async Task<IReadOnlyList<StorageEntry>> ReadAllAsync(IPage page, StorageKind kind, CancellationToken cancellationToken)
    {
        var pairs = await page.EvaluateAsync<string[][]>(ReadAll, StorageItemId.Name(kind)).WaitAsync(cancellationToken);
        return [.. pairs.Select(p => new StorageEntry(p[0], p[1])).OrderBy(e => e.Key, StringComparer.Ordinal)];
    }

    /// <summary>One value; a missing key reads as "" (as in proxy-mcp).</summary>
    public static Task<string> ReadAsync(IPage page, StorageKind kind, string key, CancellationToken cancellationToken) =>
        page.EvaluateAsync<string>(ReadOne, new[] { StorageItemId.Name(kind), key }).WaitAsync(cancellationToken);
}
