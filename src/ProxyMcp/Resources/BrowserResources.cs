using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Interceptors.Browser;
using ProxyMcp.Proxy;
using ProxyMcp.Results;

namespace ProxyMcp.Resources;

/// <summary>proxy://browser/primary and proxy://browser/targets (spec 7.5): the launched browsers and their current pages.</summary>
[McpServerResourceType]
public sealed class BrowserResources(ProxyRuntime runtime)
{
    public const string PrimaryUri = "proxy://browser/primary";
    public const string TargetsUri = "proxy://browser/targets";
    private const string NotRegistered = "Browser interceptor not registered.";

    [McpServerResource(UriTemplate = PrimaryUri, Name = "proxy_browser_primary", MimeType = "application/json")]
    [Description("The most recently launched browser target with its current page URL and title, and the proxy's state.")]
    public async Task<TextResourceContents> PrimaryAsync(CancellationToken cancellationToken = default)
    {
        var document = new JsonObject { ["proxy"] = Proxy() };
        if (runtime.Interceptors.Find<BrowserInterceptor>() is not { } browser)
        {
            document["browser"] = new JsonObject { ["error"] = NotRegistered, ["primary"] = null };
        }
        else if (browser.Targets.LastOrDefault() is not { } primary)
        {
            document["browser"] = new JsonObject
            {
                ["error"] = "No active browser targets. Launch one with interceptor_browser_launch.",
                ["primary"] = null,
            };
        }
        else
        {
            document["browser"] = new JsonObject
            {
                ["primaryTargetId"] = primary.Id,
                ["target"] = Target(primary),
                ["page"] = await PageAsync(primary, cancellationToken),
            };
        }
        return Json(PrimaryUri, document);
    }

    [McpServerResource(UriTemplate = TargetsUri, Name = "proxy_browser_targets", MimeType = "application/json")]
    [Description("Every launched browser target with its current page URL and title, and the proxy's state.")]
    public async Task<TextResourceContents> TargetsAsync(CancellationToken cancellationToken = default)
    {
        var document = new JsonObject { ["proxy"] = Proxy() };
        if (runtime.Interceptors.Find<BrowserInterceptor>() is not { } browser)
        {
            document["browser"] = new JsonObject { ["error"] = NotRegistered, ["targets"] = new JsonArray() };
            return Json(TargetsUri, document);
        }
        var targets = browser.Targets;
        var items = new JsonArray();
        foreach (var target in targets)
        {
            items.Add(new JsonObject { ["target"] = Target(target), ["page"] = await PageAsync(target, cancellationToken) });
        }
        document["browser"] = new JsonObject
        {
            ["interceptorId"] = browser.Id,
            ["interceptorName"] = browser.Name,
            ["activeCount"] = targets.Count,
            ["targets"] = items,
        };
        return Json(TargetsUri, document);
    }

    private JsonObject Proxy() => new()
    {
        ["running"] = runtime.IsRunning,
        ["port"] = runtime.EndPoint?.Port,
        ["certFingerprint"] = runtime.FindAuthority()?.SpkiSha256Base64,
    };

    private static JsonObject Target(BrowserTarget target)
    {
        var active = target.ToActiveTarget();
        return new JsonObject
        {
            ["id"] = active.Id,
            ["description"] = active.Description,
            ["activatedAt"] = active.ActivatedAt,
            ["details"] = active.Details,
        };
    }

    /// <summary>{currentUrl, title}, or null when the browser is gone.</summary>
    private static async Task<JsonObject?> PageAsync(BrowserTarget target, CancellationToken cancellationToken)
    {
        if (!target.IsRunning) return null;
        var title = await target.TryGetTitleAsync(cancellationToken);
        return new JsonObject { ["currentUrl"] = target.CurrentUrl, ["title"] = title };
    }

    private static TextResourceContents Json(string uri, JsonNode document) =>
        new() { Uri = uri, MimeType = "application/json", Text = JsonText.Indented(document) };
}
