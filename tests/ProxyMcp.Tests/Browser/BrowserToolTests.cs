using System.Diagnostics;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ProxyMcp.Interceptors.Browser;
using ProxyMcp.Tests.Support;
using Xunit.Abstractions;

namespace ProxyMcp.Tests.Browser;

/// <summary>
/// The browser, devtools and humanizer tools over a real MCP client with the real Chromium, the real proxy and a local HTTPS
/// test site. Skipped (passing) when no Chromium is installed.
/// </summary>
public sealed class BrowserToolTests(ITestOutputHelper output)
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static bool HasChromium => ChromiumExecutable.Find(null) is not null;

    private static async Task<InMemoryServer> StartServerAsync(BrowserTestSite site)
    {
        var server = await InMemoryServer.StartAsync(settings => settings with { ExtraTrustedRoots = [site.Certificate] });
        (await server.CallAsync("proxy_start")).AssertSuccess();
        return server;
    }

    private async Task<string> LaunchAsync(InMemoryServer server, object? arguments = null)
    {
        var launch = (await server.CallAsync("interceptor_browser_launch", arguments ?? new { headless = true })).AssertSuccess();
        var details = launch["details"];
        output.WriteLine($"launch: {details.GetProperty("launchMs").GetInt64()} ms, Chromium {details.GetProperty("browserVersion")}");
        return launch["targetId"].GetString()!;
    }

    private static Task<ToolCall> SnapshotAsync(InMemoryServer server, string targetId) =>
        server.CallAsync("interceptor_browser_snapshot", new { target_id = targetId });

    [Fact]
    public async Task Launch_navigate_capture_snapshot_click_type_and_inspect_the_page()
    {
        if (!HasChromium)
        {
            output.WriteLine("chromium not installed: skipped");
            return;
        }
        await using var site = await BrowserTestSite.StartAsync();
        await using var server = await StartServerAsync(site);
        var total = Stopwatch.StartNew();

        var targetId = await LaunchAsync(server);
        Assert.Matches(@"^browser_\d+_\d+$", targetId);

        // Navigate: the page's exchange is captured, tied to this browser, with Chromium's TLS fingerprint.
        var watch = Stopwatch.StartNew();
        var navigate = (await server.CallAsync("interceptor_browser_navigate", new { target_id = targetId, url = site.Url })).AssertSuccess();
        output.WriteLine($"navigate: {watch.ElapsedMilliseconds} ms");
        Assert.Equal(200, navigate["http_status"].GetInt32());
        Assert.Equal(site.Url, navigate["final_url"].GetString());
        var traffic = navigate["traffic"];
        Assert.Equal("localhost", traffic.GetProperty("destinationHost").GetString());
        Assert.True(traffic.GetProperty("matchedHostExchangeCount").GetInt32() >= 1, navigate.Text);
        Assert.False(navigate.Json.TryGetProperty("warning", out _), navigate.Text);
        var pageExchange = traffic.GetProperty("matchedHostExchangeIds").EnumerateArray()
            .Select(id => server.Runtime.Capture.Find(id.GetString()!)!)
            .Single(e => e.Request.Path == "/");
        var exchange = (await server.CallAsync("proxy_get_exchange", new { exchange_id = pageExchange.Id })).AssertSuccess()["exchange"];
        Assert.Equal(targetId, exchange.GetProperty("clientTarget").GetString());
        var ja4 = exchange.GetProperty("tls").GetProperty("client").GetProperty("ja4Fingerprint").GetString()!;
        output.WriteLine($"Chromium JA4: {ja4}");
        Assert.Matches(@"^t13d\d{4}h2_[0-9a-f]{12}_[0-9a-f]{12}$", ja4);

        // Snapshot: the page's button is in the ARIA tree.
        var snapshot = (await SnapshotAsync(server, targetId)).AssertSuccess();
        Assert.Equal("Test shop", snapshot["title"].GetString());
        Assert.Equal("body", snapshot["root"].GetString());
        Assert.Contains("button \"Buy now\"", snapshot["snapshot"].GetString());
        Assert.Contains("not bought", snapshot["snapshot"].GetString());

        // A humanized click is a trusted input event that changes the page and posts through the proxy.
        watch.Restart();
        var click = (await server.CallAsync("humanizer_click", new Dictionary<string, object?>
        {
            ["target_id"] = targetId, ["role"] = "button", ["name"] = "Buy now", ["seed"] = 42,
        })).AssertSuccess();
        output.WriteLine($"click: {watch.ElapsedMilliseconds} ms, {click["stats"]}");
        Assert.Equal("role", click["resolved_by"].GetString());
        Assert.Equal(42, click["seed"].GetInt32());
        Assert.True(click["stats"].GetProperty("path_points").GetInt32() > 5, click.Text);
        var clickedAt = click["clicked_at"];
        Assert.InRange(clickedAt.GetProperty("x").GetDouble(), 300, 500);
        Assert.Contains("bought by a real click", (await SnapshotAsync(server, targetId)).AssertSuccess()["snapshot"].GetString());

        // Type into the labelled field.
        (await server.CallAsync("humanizer_click", new { target_id = targetId, label = "Name", seed = 1 })).AssertSuccess();
        var type = (await server.CallAsync("humanizer_type", new { target_id = targetId, text = "Ada", seed = 7, wpm = 200, typo_rate = 0.2 })).AssertSuccess();
        Assert.Equal(3, type["stats"].GetProperty("chars_typed").GetInt32());
        Assert.Contains("textbox \"Name\": Ada", (await SnapshotAsync(server, targetId)).AssertSuccess()["snapshot"].GetString());

        // Cookies set by the server (HttpOnly) and by the script.
        var cookies = (await server.CallAsync("interceptor_browser_list_cookies", new { target_id = targetId })).AssertSuccess();
        var byName = cookies["cookies"].EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal(["js_cookie", "session"], byName.Keys.Order());
        Assert.True(byName["session"].GetProperty("httpOnly").GetBoolean());
        Assert.Equal("abc123", byName["session"].GetProperty("value_preview").GetString());
        Assert.StartsWith("ck_", byName["session"].GetProperty("cookie_id").GetString());
        var cookie = (await server.CallAsync("interceptor_browser_get_cookie", new
        {
            target_id = targetId, cookie_id = byName["js_cookie"].GetProperty("cookie_id").GetString(),
        })).AssertSuccess();
        Assert.Equal("from-script", cookie["cookie"].GetProperty("value").GetString());

        // Local and session storage of the page's origin.
        var origin = $"https://localhost:{site.Port}";
        var local = (await server.CallAsync("interceptor_browser_list_storage_keys", new { target_id = targetId, storage_type = "local" })).AssertSuccess();
        Assert.Equal(origin, local["origin"].GetString());
        var item = Assert.Single(local["items"].EnumerateArray());
        Assert.Equal("cart", item.GetProperty("key").GetString());
        var value = (await server.CallAsync("interceptor_browser_get_storage_value", new
        {
            target_id = targetId, storage_type = "local", item_id = item.GetProperty("item_id").GetString(),
        })).AssertSuccess();
        Assert.Equal("""{"items":3,"sku":"A-1"}""", value["value"].GetString());
        var session = (await server.CallAsync("interceptor_browser_list_storage_keys", new { target_id = targetId, storage_type = "session", origin })).AssertSuccess();
        Assert.Equal("first", Assert.Single(session["items"].EnumerateArray()).GetProperty("value_preview").GetString());

        // Headers of this browser's traffic, including the POST the click made.
        var fields = (await server.CallAsync("interceptor_browser_list_network_fields", new
        {
            target_id = targetId, direction = "request", header_name_filter = "user-agent", method_filter = "POST", hostname_filter = "localhost",
        })).AssertSuccess();
        Assert.Equal("browser", fields["scope"].GetString());
        var field = Assert.Single(fields["fields"].EnumerateArray());
        Assert.EndsWith("/api/bought", field.GetProperty("url").GetString());
        var header = (await server.CallAsync("interceptor_browser_get_network_field", new
        {
            target_id = targetId, field_id = field.GetProperty("field_id").GetString(),
        })).AssertSuccess();
        Assert.Contains("Chrome/", header["value"].GetString());

        var console = (await server.CallAsync("interceptor_browser_list_console", new { target_id = targetId, types = new[] { "log" } })).AssertSuccess();
        Assert.Contains(console["messages"].EnumerateArray(), m => m.GetProperty("text").GetString() == "page loaded");

        // Screenshots: inline as MCP image content, and saved to a file.
        var inline = await server.Client.CallToolAsync("interceptor_browser_screenshot",
            new Dictionary<string, object?> { ["target_id"] = targetId }, cancellationToken: TestTimeout.Token());
        Assert.NotEqual(true, inline.IsError);
        Assert.Equal(2, inline.Content.Count);
        var image = Assert.IsType<ImageContentBlock>(inline.Content[1]);
        Assert.Equal("image/png", image.MimeType);
        Assert.Equal(PngSignature, image.DecodedData.ToArray()[..8]);
        using (var json = JsonDocument.Parse(Assert.IsType<TextContentBlock>(inline.Content[0]).Text))
        {
            Assert.Equal(image.DecodedData.Length, json.RootElement.GetProperty("bytes").GetInt32());
        }
        var file = Path.Combine(server.DataDirectory, "shots", "page.png");
        var saved = (await server.CallAsync("interceptor_browser_screenshot", new { target_id = targetId, file_path = file, full_page = true })).AssertSuccess();
        Assert.True(saved["saved"].GetBoolean());
        Assert.Equal(PngSignature, File.ReadAllBytes(file)[..8]);
        Assert.Equal(new FileInfo(file).Length, saved["bytes"].GetInt64());

        // The resources show the target and its page.
        var resource = await server.Client.ReadResourceAsync("proxy://browser/targets", cancellationToken: TestTimeout.Token());
        var targets = JsonDocument.Parse(Assert.IsType<TextResourceContents>(Assert.Single(resource.Contents)).Text).RootElement;
        var listed = Assert.Single(targets.GetProperty("browser").GetProperty("targets").EnumerateArray());
        Assert.Equal("Test shop", listed.GetProperty("page").GetProperty("title").GetString());

        var pid = server.Runtime.Interceptors.Find<BrowserInterceptor>()!.Get(targetId).Pid;
        var close = (await server.CallAsync("interceptor_browser_close", new { target_id = targetId })).AssertSuccess();
        Assert.Equal($"Browser instance {targetId} closed.", close["message"].GetString());
        if (pid is { } p) Assert.False(ChromiumProcess.IsAlive(p));
        Assert.Equal($"No browser instance with target ID '{targetId}'",
            (await server.CallAsync("interceptor_browser_close", new { target_id = targetId })).AssertError());
        output.WriteLine($"whole flow: {total.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_crashed_browser_is_reported_direct_input_works_and_proxy_stop_closes_every_browser()
    {
        if (!HasChromium || !OperatingSystem.IsLinux())
        {
            output.WriteLine("chromium not installed (or not Linux): skipped");
            return;
        }
        await using var site = await BrowserTestSite.StartAsync();
        await using var server = await StartServerAsync(site);
        var first = await LaunchAsync(server);
        // The second opens a page at launch and takes input without humanization.
        var second = await LaunchAsync(server, new { headless = true, url = site.Url, humanize = false });
        Assert.NotEqual(first, second);
        var browser = server.Runtime.Interceptors.Find<BrowserInterceptor>()!;
        var firstPid = browser.Get(first).Pid!.Value;
        var secondPid = browser.Get(second).Pid!.Value;

        using (var process = Process.GetProcessById(firstPid)) process.Kill(entireProcessTree: true);
        var watch = Stopwatch.StartNew();
        var navigate = await server.CallAsync("interceptor_browser_navigate", new { target_id = first, url = site.Url });
        Assert.Contains($"Browser target '{first}' is no longer running", navigate.AssertError());
        output.WriteLine($"dead browser reported in {watch.ElapsedMilliseconds} ms");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        var click = await server.CallAsync("humanizer_click", new { target_id = first, x = 10, y = 10 });
        Assert.True(click.IsError);
        Assert.Equal(["status", "target_id", "action", "error"], click.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("click", click["action"].GetString());

        var direct = (await server.CallAsync("humanizer_click", new { target_id = second, text = "Buy now" })).AssertSuccess();
        Assert.False(direct["stats"].GetProperty("humanized").GetBoolean());
        Assert.Equal(3, direct["stats"].GetProperty("events_dispatched").GetInt32());
        Assert.Equal("text", direct["resolved_by"].GetString());
        Assert.Contains("bought by a real click", (await SnapshotAsync(server, second)).AssertSuccess()["snapshot"].GetString());

        var status = (await server.CallAsync("interceptor_status", new { interceptor_id = "browser" })).AssertSuccess();
        var states = status["activeTargets"].EnumerateArray()
            .ToDictionary(t => t.GetProperty("id").GetString()!, t => t.GetProperty("details").GetProperty("state").GetString());
        Assert.Equal("exited", states[first]);
        Assert.Equal("running", states[second]);
        var secondTarget = status["activeTargets"].EnumerateArray().Single(t => t.GetProperty("id").GetString() == second);
        Assert.Equal(site.Url, secondTarget.GetProperty("details").GetProperty("currentUrl").GetString());
        Assert.False(secondTarget.GetProperty("details").GetProperty("humanize").GetBoolean());
        Assert.True(secondTarget.GetProperty("details").GetProperty("exchangeCount").GetInt64() >= 1);

        watch.Restart();
        (await server.CallAsync("proxy_stop")).AssertSuccess();
        output.WriteLine($"proxy_stop with two browsers (one dead): {watch.ElapsedMilliseconds} ms");
        Assert.Empty(browser.Targets);
        Assert.False(ChromiumProcess.IsAlive(secondPid));
    }
}
