using Microsoft.Playwright;

namespace ProxyMcp.Interceptors.Browser;

/// <summary>Reads every cookie of a browser context (all sites, HttpOnly ones included, as the browser stores them).</summary>
public static class ContextCookies
{
    public static async Task<IReadOnlyList<BrowserCookie>> ReadAsync(IBrowserContext context, CancellationToken cancellationToken)
    {
        var cookies = await context.CookiesAsync().WaitAsync(cancellationToken);
        return [.. cookies.Select(c => new BrowserCookie(c.Name, c.Value, c.Domain, c.Path, c.Expires, c.HttpOnly, c.Secure,
            c.SameSite.ToString(), string.IsNullOrEmpty(c.PartitionKey) ? null : c.PartitionKey))];
    }
}
