using ProxyMcp.Interceptors.Browser;

namespace ProxyMcp.Interceptors.Tests.Browser;

public sealed class CookieQueryTests
{
    private static readonly BrowserCookie[] Cookies =
    [
        new("b", "1", "shop.example.com", "/cart", 2_000, false, true, "Lax"),
        new("a", "2", "example.com", "/", -1, true, true, "Strict"),
        new("c", "3", "other.test", "/", 1_000, false, false, null),
        new("A", "4", "b.example.com", "/", -1, false, false, "None"),
    ];

    private static string[] Names(IReadOnlyList<BrowserCookie> cookies) => [.. cookies.Select(c => $"{c.Name}@{c.Domain}")];

    [Fact]
    public void Sorts_by_name_domain_or_expiry()
    {
        Assert.Equal(["A@b.example.com", "a@example.com", "b@shop.example.com", "c@other.test"], Names(new CookieQuery().Apply(Cookies)));
        Assert.Equal(["A@b.example.com", "a@example.com", "c@other.test", "b@shop.example.com"],
            Names(new CookieQuery { Sort = CookieSort.Domain }.Apply(Cookies)));
        // Session cookies (−1) first, then by expiry; ties by domain then name.
        Assert.Equal(["A@b.example.com", "a@example.com", "c@other.test", "b@shop.example.com"],
            Names(new CookieQuery { Sort = CookieSort.Expires }.Apply(Cookies)));
    }

    [Fact]
    public void Filters_are_case_insensitive_substrings()
    {
        Assert.Equal(["b@shop.example.com"], Names(new CookieQuery { UrlFilter = "EXAMPLE.com/CART" }.Apply(Cookies)));
        Assert.Equal(3, new CookieQuery { DomainFilter = "Example" }.Apply(Cookies).Count);
        Assert.Equal(["A@b.example.com", "a@example.com"], Names(new CookieQuery { NameFilter = "a" }.Apply(Cookies)));
        Assert.Empty(new CookieQuery { NameFilter = "zzz" }.Apply(Cookies));
    }

    [Fact]
    public void Paging_and_value_caps_follow_the_spec_clamps()
    {
        Assert.Equal(new ListWindow(0, 50), ListWindow.From(null, null));
        Assert.Equal(new ListWindow(0, 500), ListWindow.From(-3, 9_999));
        Assert.Equal(new ListWindow(2, 1), ListWindow.From(2.7, 0));
        Assert.Equal(new ListWindow(0, 50), ListWindow.From(double.NaN, double.PositiveInfinity));
        Assert.Equal([3, 4], new ListWindow(2, 5).Apply([1, 2, 3, 4]));

        Assert.Equal(256, ValueCap.Clamp(null, 256));
        Assert.Equal(20_000, ValueCap.Clamp(1e9, 256));
        Assert.Equal(0, ValueCap.Clamp(-5, 256));
        Assert.Equal(new CappedValue("abc...", 6, true), ValueCap.Apply("abcdef", 3));
        Assert.Equal(new CappedValue("abc", 6, true), ValueCap.Apply("abcdef", 3, marker: false));
        Assert.Equal(new CappedValue("abcdef", 6, false), ValueCap.Apply("abcdef", 0));
        Assert.Equal(new CappedValue("abcdef", 6, false), ValueCap.Apply("abcdef", 6));
        Assert.Equal("a...", ValueCap.Apply("a👍b", 2).Value); // never half a surrogate pair
    }
}
