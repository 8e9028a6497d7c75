using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Interceptors.Browser;
using ProxyMcp.Proxy;
using ProxyMcp.Results;

namespace ProxyMcp.Tools.Browser;

/// <summary>interceptor_browser_launch, interceptor_browser_navigate, interceptor_browser_close (spec 5.8.2).</summary>
[McpServerToolType]
public sealed class BrowserTools(ProxyRuntime runtime)
{
    [McpServerTool(Name = "interceptor_browser_launch", Destructive = false)]
    [Description("Launch Chromium routed through the running proxy: the proxy CA is trusted by this browser only (SPKI pin), QUIC is " +
                 "off and loopback goes through the proxy too. Returns a target id for the other interceptor_browser_* and humanizer_* " +
                 "tools. Several browsers can run at once; proxy_stop and interceptor_deactivate_all close them.")]
    public async Task<CallToolResult> LaunchAsync(
        [Description("First page to open (default about:blank).")] string? url = null,
        [Description("Run without a window. Default: headless only when there is no display.")] bool? headless = null,
        [Description("Human-like input for this browser's humanizer_* calls (Bézier mouse paths, typing rhythm); false sends one direct event per action.")]
        bool humanize = true,
        [Description("Humanize profile: default, or careful (slower, more precise).")] [AllowedValues("default", "careful")]
        string human_preset = "default",
        [Description("IANA time zone id for the pages, e.g. Europe/Paris.")] string? timezone = null,
        [Description("BCP-47 locale for the pages, e.g. fr-FR.")] string? locale = null,
        [Description("Viewport width in CSS pixels (used only with viewport_height, both non-zero).")] double? viewport_width = null,
        [Description("Viewport height in CSS pixels.")] double? viewport_height = null,
        CancellationToken cancellationToken = default)
    {
        var request = new BrowserLaunchRequest
        {
            Url = ToolArguments.OptionalText(url)?.Trim(),
            Headless = headless,
            Humanize = humanize,
            HumanPreset = ToolArguments.OptionalChoice(human_preset, "human_preset", "default", "careful") ?? "default",
            Timezone = ToolArguments.OptionalText(timezone)?.Trim(),
            Locale = ToolArguments.OptionalText(locale)?.Trim(),
            ViewportWidth = ToolArguments.OptionalInteger(viewport_width, "viewport_width", 0, 10_000),
            ViewportHeight = ToolArguments.OptionalInteger(viewport_height, "viewport_height", 0, 10_000),
        };
        var context = BrowserAccess.ProxyContext(runtime);
        var watch = Stopwatch.StartNew();
        // Not the registry's generic "not activable": the launch says what is missing (Chromium, or the Playwright driver).
        var browser = BrowserAccess.Interceptor(runtime);
        var target = await BrowserAccess.RunAsync(null, () => browser.LaunchAsync(request, context, cancellationToken));
        var details = target.LaunchDetails();
        details["launchMs"] = watch.ElapsedMilliseconds;
        var result = ToolResult.Success();
        result["targetId"] = target.Id;
        result["details"] = details;
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "interceptor_browser_navigate")]
    [Description("Open a URL in a launched browser and wait until the proxy has captured traffic for the destination host (or a " +
                 "subdomain); returns the HTTP status, the final URL and the ids of the matching captured exchanges.")]
    public async Task<CallToolResult> NavigateAsync(
        [Description("Browser target id from interceptor_browser_launch.")] string target_id,
        [Description("Destination URL (absolute).")] string url,
        [Description("When navigation counts as done: load, domcontentloaded, networkidle or commit.")]
        [AllowedValues("load", "domcontentloaded", "networkidle", "commit")]
        string wait_until = "domcontentloaded",
        [Description("Wait for the proxy to capture traffic for the destination host.")] bool wait_for_proxy_capture = true,
        [Description("Navigation timeout, and again the budget for the capture wait, in ms.")] double timeout_ms = 5000,
        [Description("Accepted for compatibility (minimum 50); the wait is event-driven, not polled.")] double poll_interval_ms = 200,
        CancellationToken cancellationToken = default)
    {
        var id = ToolArguments.RequiredText(target_id, "target_id").Trim();
        var destination = ToolArguments.RequiredText(url, "url").Trim();
        if (!BrowserLaunchRequest.IsNavigable(destination))
        {
            throw new McpException($"url must be an absolute URL such as https://example.com/ (got '{url}')");
        }
        var waitUntil = ToolArguments.OptionalChoice(wait_until, "wait_until", "load", "domcontentloaded", "networkidle", "commit") switch
        {
            "load" => WaitUntilState.Load,
            "networkidle" => WaitUntilState.NetworkIdle,
            "commit" => WaitUntilState.Commit,
            _ => WaitUntilState.DOMContentLoaded,
        };
        var timeout = ToolArguments.Integer(timeout_ms, "timeout_ms", 1, 600_000);
        ToolArguments.Integer(Math.Max(poll_interval_ms, 50), "poll_interval_ms", 50, 600_000);

        var target = BrowserAccess.Target(runtime, id);
        var page = BrowserAccess.Page(target);
        var host = PageOrigin.HostOf(destination);
        var capture = new DestinationCapture(host, target.Id);
        runtime.Capture.Added += capture.Offer;
        long before, after;
        IResponse? response;
        long waitedMs = 0;
        try
        {
            before = runtime.Capture.TotalAdded;
            response = await BrowserAccess.RunAsync(target, () =>
                page.GotoAsync(destination, new PageGotoOptions { WaitUntil = waitUntil, Timeout = timeout }).WaitAsync(cancellationToken));
            if (wait_for_proxy_capture)
            {
                var watch = Stopwatch.StartNew();
                await capture.WaitForFirstAsync(TimeSpan.FromMilliseconds(timeout), cancellationToken);
                waitedMs = watch.ElapsedMilliseconds;
            }
            after = runtime.Capture.TotalAdded;
        }
        finally
        {
            runtime.Capture.Added -= capture.Offer;
        }

        var matched = capture.Matched;
        var result = ToolResult.Success();
        result["target_id"] = target.Id;
        result["url"] = destination;
        result["http_status"] = response?.Status;
        result["final_url"] = page.Url;
        result["traffic"] = new JsonObject
        {
            ["beforeCount"] = before,
            ["afterCount"] = after,
            ["deltaCount"] = after - before,
            ["destinationHost"] = host,
            ["matchedHostExchangeCount"] = matched.Count,
            ["matchedHostExchangeIds"] = new JsonArray([.. matched.Select(e => JsonValue.Create(e.Id))]),
            ["waitedMs"] = waitedMs,
        };
        if (wait_for_proxy_capture && !string.IsNullOrEmpty(host) && matched.Count == 0)
        {
            result["warning"] = after > before
                ? $"Traffic was captured, but none for host '{host}' within {timeout} ms."
                : $"No new traffic was captured by the proxy within {timeout} ms. Is the page served from cache or outside the proxy?";
        }
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "interceptor_browser_close", Destructive = true)]
    [Description("Close a launched browser (killed if it does not close within 5 s) and delete its temporary profile.")]
    public async Task<CallToolResult> CloseAsync(
        [Description("Browser target id from interceptor_browser_launch.")] string target_id,
        CancellationToken cancellationToken = default)
    {
        var id = ToolArguments.RequiredText(target_id, "target_id").Trim();
        var browser = runtime.Interceptors.Find<BrowserInterceptor>() ?? throw new McpException($"No browser instance with target ID '{id}'");
        await BrowserAccess.RunAsync(null, async () =>
        {
            await browser.CloseAsync(id, cancellationToken);
            return true;
        });
        var result = ToolResult.Success();
        result["message"] = $"Browser instance {id} closed.";
        return ToolResult.Ok(result);
    }
}
