using Microsoft.Playwright;

namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>
/// What humanizer_click aims at, in proxy-mcp's precedence: selector (CSS, XPath, or any Playwright selector such as
/// aria-ref=e5 from an "ai" snapshot) &gt; role (+ name) &gt; text &gt; label &gt; x+y.
/// </summary>
public sealed record ClickTarget
{
    public string? Selector { get; init; }
    public string? Role { get; init; }
    public string? Name { get; init; }
    public string? Text { get; init; }
    public string? Label { get; init; }
    public double? X { get; init; }
    public double? Y { get; init; }

    public const string Missing = "Provide one of: selector, role (+ name), text, label, or x+y coordinates.";

    /// <summary>"selector", "role", "text", "label" or "coords"; throws <see cref="InterceptorException"/> when nothing usable was given.</summary>
    public string ResolvedBy =>
        Selector is not null ? "selector"
        : Role is not null ? "role"
        : Text is not null ? "text"
        : Label is not null ? "label"
        : X is not null && Y is not null ? "coords"
        : throw new InterceptorException(Missing);

    /// <summary>The locator for the element, or null for coordinates.</summary>
    public ILocator? Locate(IPage page) => ResolvedBy switch
    {
        "selector" => page.Locator(Selector!),
        "role" => page.GetByRole(ParseRole(Role!), Name is null ? null : new PageGetByRoleOptions { Name = Name }),
        "text" => page.GetByText(Text!),
        "label" => page.GetByLabel(Label!),
        _ => null,
    };

    internal static AriaRole ParseRole(string role)
    {
        var compact = role.Trim().Replace("-", "", StringComparison.Ordinal);
        if (Enum.TryParse<AriaRole>(compact, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)) return parsed;
        throw new InterceptorException($"Unknown ARIA role '{role}' (e.g. button, link, textbox, checkbox, heading, menuitem)");
    }
}
