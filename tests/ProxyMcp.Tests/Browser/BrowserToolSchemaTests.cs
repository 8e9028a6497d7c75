using ProxyMcp.Tests.Support;

namespace ProxyMcp.Tests.Browser;

/// <summary>The browser, devtools and humanizer tools take proxy-mcp's parameter names (spec 5.8.2, 5.9, 5.11), plus our optional extras at the end.</summary>
public sealed class BrowserToolSchemaTests
{
    [Fact]
    public async Task Tools_take_the_spec_parameter_names()
    {
        await using var server = await InMemoryServer.StartAsync();
        var tools = await server.Client.ListToolsAsync(cancellationToken: TestTimeout.Token());

        string[] Parameters(string tool) =>
            [.. tools.Single(t => t.Name == tool).JsonSchema.GetProperty("properties").EnumerateObject().Select(p => p.Name)];
        string[] Required(string tool) =>
            tools.Single(t => t.Name == tool).JsonSchema.TryGetProperty("required", out var required)
                ? [.. required.EnumerateArray().Select(r => r.GetString()!)]
                : [];

        Assert.Equal(["url", "headless", "humanize", "human_preset", "timezone", "locale", "viewport_width", "viewport_height"],
            Parameters("interceptor_browser_launch"));
        Assert.Equal(["target_id", "url", "wait_until", "wait_for_proxy_capture", "timeout_ms", "poll_interval_ms"],
            Parameters("interceptor_browser_navigate"));
        Assert.Equal(["target_id"], Parameters("interceptor_browser_close"));
        Assert.Equal(["target_id", "selector", "mode"], Parameters("interceptor_browser_snapshot"));
        Assert.Equal(["target_id", "file_path", "format", "full_page", "quality"], Parameters("interceptor_browser_screenshot"));
        Assert.Equal(["target_id", "types", "text_filter", "offset", "limit"], Parameters("interceptor_browser_list_console"));
        Assert.Equal(["target_id", "url_filter", "domain_filter", "name_filter", "offset", "limit", "value_max_chars", "full", "sort"],
            Parameters("interceptor_browser_list_cookies"));
        Assert.Equal(["target_id", "cookie_id", "value_max_chars"], Parameters("interceptor_browser_get_cookie"));
        Assert.Equal(["target_id", "storage_type", "origin", "key_filter", "offset", "limit", "value_max_chars"],
            Parameters("interceptor_browser_list_storage_keys"));
        Assert.Equal(["target_id", "storage_type", "item_id", "origin", "value_max_chars"], Parameters("interceptor_browser_get_storage_value"));
        Assert.Equal(["target_id", "direction", "header_name_filter", "method_filter", "url_filter", "status_filter", "hostname_filter",
            "offset", "limit", "value_max_chars"], Parameters("interceptor_browser_list_network_fields"));
        Assert.Equal(["target_id", "field_id", "value_max_chars"], Parameters("interceptor_browser_get_network_field"));

        Assert.Equal(["target_id", "x", "y", "seed"], Parameters("humanizer_move"));
        Assert.Equal(["target_id", "selector", "role", "name", "text", "label", "x", "y", "button", "click_count", "timeout_ms", "seed"],
            Parameters("humanizer_click"));
        Assert.Equal(["target_id", "text", "delay_ms", "wpm", "typo_rate", "seed"], Parameters("humanizer_type"));
        Assert.Equal(["target_id", "delta_y", "delta_x", "seed"], Parameters("humanizer_scroll"));
        Assert.Equal(["target_id", "duration_ms", "intensity", "seed"], Parameters("humanizer_idle"));

        Assert.Empty(Required("interceptor_browser_launch"));
        Assert.Equal(["target_id", "url"], Required("interceptor_browser_navigate"));
        Assert.Equal(["target_id", "storage_type", "item_id"], Required("interceptor_browser_get_storage_value"));
        Assert.Equal(["target_id", "x", "y"], Required("humanizer_move"));
        Assert.Equal(["target_id", "duration_ms"], Required("humanizer_idle"));
    }

    [Fact]
    public async Task Errors_without_a_browser_use_the_spec_messages()
    {
        await using var server = await InMemoryServer.StartAsync();

        Assert.Equal("Proxy is not running. Start it first with proxy_start.",
            (await server.CallAsync("interceptor_browser_launch")).AssertError());
        Assert.Equal("Browser target 'browser_1_2' not found. Is it still running?",
            (await server.CallAsync("interceptor_browser_navigate", new { target_id = "browser_1_2", url = "https://example.com/" })).AssertError());
        Assert.Equal("Browser target 'browser_1_2' not found. Is it still running?",
            (await server.CallAsync("interceptor_browser_list_cookies", new { target_id = "browser_1_2" })).AssertError());
        Assert.Equal("No browser instance with target ID 'browser_1_2'",
            (await server.CallAsync("interceptor_browser_close", new { target_id = "browser_1_2" })).AssertError());

        var move = await server.CallAsync("humanizer_move", new { target_id = "browser_1_2", x = 1, y = 2 });
        Assert.True(move.IsError);
        Assert.Equal("""{"status":"error","target_id":"browser_1_2","action":"move","error":"Browser target 'browser_1_2' not found. Is it still running?"}""",
            move.Text);

        var resource = await server.Client.ReadResourceAsync("proxy://browser/primary", cancellationToken: TestTimeout.Token());
        var text = Assert.IsType<ModelContextProtocol.Protocol.TextResourceContents>(Assert.Single(resource.Contents)).Text;
        Assert.Contains("\"error\": \"No active browser targets. Launch one with interceptor_browser_launch.\"", text);
        Assert.Contains("\"primary\": null", text);
        Assert.Contains("\"running\": false", text);
    }
}
