using ProxyMcp.Interceptors.Humanizer;

namespace ProxyMcp.Interceptors.Browser;

/// <summary>The arguments of interceptor_browser_launch.</summary>
public sealed record BrowserLaunchRequest
{
    /// <summary>First page to open; null stays on about:blank.</summary>
    public string? Url { get; init; }

    /// <summary>Null: headless only when there is no display.</summary>
    public bool? Headless { get; init; }

    /// <summary>Humanized input for this target's humanizer_* calls (false: one direct event per action).</summary>
    public bool Humanize { get; init; } = true;

    /// <summary>"default" or "careful".</summary>
    public string HumanPreset { get; init; } = HumanProfile.DefaultName;

    /// <summary>IANA time zone id, e.g. Europe/Paris.</summary>
    public string? Timezone { get; init; }

    /// <summary>BCP-47 locale, e.g. fr-FR.</summary>
    public string? Locale { get; init; }

    /// <summary>Used only when both are positive.</summary>
    public int? ViewportWidth { get; init; }
    public int? ViewportHeight { get; init; }

    /// <summary>Throws <see cref="InterceptorException"/> naming the argument to fix.</summary>
    public void Validate()
    {
        if (Url is { } url && !IsNavigable(url))
        {
            throw new InterceptorException($"url must be an absolute URL such as https://example.com/ (got '{url}')");
        }
        if (HumanProfile.FromPreset(HumanPreset) is null)
        {
            throw new InterceptorException($"unknown human_preset '{HumanPreset}' (expected default or careful)");
        }
        if (Timezone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            throw new InterceptorException($"timezone '{zone}' is not a known IANA time zone id (e.g. Europe/Paris)");
        }
        if (Locale is { } locale && (locale.Length > 35 || !locale.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new InterceptorException($"locale '{locale}' is not a BCP-47 tag (e.g. en-US)");
        }
        foreach (var (value, name) in new[] { (ViewportWidth, "viewport_width"), (ViewportHeight, "viewport_height") })
        {
            if (value is < 0 or > 10_000) throw new InterceptorException($"{name} must be between 0 and 10000 (got {value})");
        }
    }

    /// <summary>Both viewport sides, when both are positive (proxy-mcp ignored a lone or zero side).</summary>
    public (int Width, int Height)? Viewport =>
        ViewportWidth is > 0 && ViewportHeight is > 0 ? (ViewportWidth.Value, ViewportHeight.Value) : null;

    public InputStyle InputStyle => Humanize ? Humanizer.InputStyle.Humanized(HumanProfile.FromPreset(HumanPreset)!) : Humanizer.InputStyle.Direct;

    /// <summary>Absolute URLs a browser can open: http(s), about:, data:, file:, chrome:.</summary>
    public static bool IsNavigable(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "about" or "data" or "file" or "chrome";
}
