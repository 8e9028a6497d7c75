using System.Text.Json;
using ProxyMcp.Tests.Support;

namespace ProxyMcp.Tests.Tools;

public sealed class ToolListTests
{
    [Fact]
    public async Task Lists_exactly_the_lifecycle_and_traffic_tools_with_the_spec_parameter_names()
    {
        await using var server = await InMemoryServer.StartAsync();

        var tools = await server.Client.ListToolsAsync(cancellationToken: TestTimeout.Token());

        Assert.Equal(
            ["humanizer_click", "humanizer_idle", "humanizer_move", "humanizer_scroll", "humanizer_type",
             "interceptor_browser_close", "interceptor_browser_get_cookie", "interceptor_browser_get_network_field", "interceptor_browser_get_storage_value", "interceptor_browser_launch",
             "interceptor_browser_list_console", "interceptor_browser_list_cookies", "interceptor_browser_list_network_fields", "interceptor_browser_list_storage_keys", "interceptor_browser_navigate",
             "interceptor_browser_screenshot", "interceptor_browser_snapshot", "interceptor_deactivate_all", "interceptor_kill", "interceptor_list",
             "interceptor_spawn", "interceptor_status", "proxy_add_rule", "proxy_clear_traffic", "proxy_clear_upstream",
             "proxy_delete_session", "proxy_disable_rule", "proxy_enable_rule", "proxy_enable_server_tls_capture", "proxy_export_har",
             "proxy_get_ca_cert", "proxy_get_exchange", "proxy_get_session", "proxy_get_session_exchange", "proxy_get_session_handshakes",
             "proxy_get_tls_config", "proxy_get_tls_fingerprints", "proxy_import_har", "proxy_inject_headers", "proxy_list_rules",
             "proxy_list_sessions", "proxy_list_tls_fingerprints", "proxy_list_traffic", "proxy_mock_response", "proxy_query_session",
             "proxy_remove_host_upstream", "proxy_remove_rule", "proxy_replay_session", "proxy_rewrite_url", "proxy_search_session_bodies",
             "proxy_search_traffic", "proxy_session_recover", "proxy_session_start", "proxy_session_status", "proxy_session_stop",
             "proxy_set_host_upstream", "proxy_set_upstream", "proxy_start", "proxy_status", "proxy_stop",
             "proxy_test_rule_match", "proxy_update_rule"],
            tools.Select(t => t.Name).Order(StringComparer.Ordinal));

        string[] Parameters(string tool) =>
            [.. tools.Single(t => t.Name == tool).JsonSchema.GetProperty("properties").EnumerateObject().Select(p => p.Name)];
        Assert.Equal(["port", "listen_address", "insecure_upstream", "persistence_enabled", "session_name", "capture_profile", "storage_dir", "max_disk_mb"],
            Parameters("proxy_start"));
        Assert.Empty(Parameters("proxy_stop"));
        Assert.Equal(["format"], Parameters("proxy_get_ca_cert"));
        Assert.Equal(["limit", "offset", "method_filter", "url_filter", "status_filter", "hostname_filter", "source_filter"],
            Parameters("proxy_list_traffic"));
        Assert.Equal(["exchange_id"], Parameters("proxy_get_exchange"));
        Assert.Equal(["query", "limit", "offset"], Parameters("proxy_search_traffic"));

        var listSchema = tools.Single(t => t.Name == "proxy_list_traffic").JsonSchema.GetProperty("properties");
        Assert.Contains("number", listSchema.GetProperty("limit").GetProperty("type").ToString());
        Assert.Equal(["explicit", "transparent"],
            listSchema.GetProperty("source_filter").GetProperty("enum").EnumerateArray()
                .Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()));
        var required = tools.Single(t => t.Name == "proxy_search_traffic").JsonSchema.GetProperty("required");
        Assert.Equal(["query"], required.EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task Object_parameters_carry_the_spec_object_schemas_instead_of_any()
    {
        await using var server = await InMemoryServer.StartAsync();
        var tools = await server.Client.ListToolsAsync(cancellationToken: TestTimeout.Token());
        JsonElement Property(string tool, string name) => tools.Single(t => t.Name == tool).JsonSchema.GetProperty("properties").GetProperty(name);

        var matcher = Property("proxy_add_rule", "matcher");
        Assert.Equal("object", matcher.GetProperty("type").GetString());
        Assert.True(matcher.GetProperty("properties").TryGetProperty("urlPattern", out _));
        Assert.StartsWith("Matcher object.", matcher.GetProperty("description").GetString());
        var handler = Property("proxy_add_rule", "handler");
        Assert.Equal(["mock", "passthrough", "forward", "drop"],
            handler.GetProperty("properties").GetProperty("type").GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
        // Our extensions are described too, so a client sees every field the rule parser accepts.
        Assert.Equal("integer", handler.GetProperty("properties").GetProperty("delayMs").GetProperty("type").GetString());
        var transformRequest = handler.GetProperty("properties").GetProperty("transformRequest").GetProperty("properties");
        Assert.Equal(["pattern"], transformRequest.GetProperty("rewriteUrl").GetProperty("required").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("boolean", transformRequest.GetProperty("regex").GetProperty("type").GetString());
        Assert.Equal("boolean", handler.GetProperty("properties").GetProperty("transformResponse").GetProperty("properties").GetProperty("regex").GetProperty("type").GetString());
        // Optional object parameters also admit null.
        Assert.Equal(["object", "null"], Property("proxy_update_rule", "handler").GetProperty("type").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("object", Property("proxy_inject_headers", "headers").GetProperty("type").GetString());
        Assert.Equal(["url"], Property("proxy_test_rule_match", "request").GetProperty("required").EnumerateArray().Select(v => v.GetString()));

        // The schema change does not change what the tool accepts.
        var added = (await server.CallAsync("proxy_add_rule", new { description = "m", matcher = new { urlPattern = "x" }, handler = new { type = "mock", status = 201 } })).AssertSuccess();
        Assert.Equal("mock", added["rule"].GetProperty("handler").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Reports_the_server_name_proxy_and_our_version()
    {
        await using var server = await InMemoryServer.StartAsync();

        Assert.Equal("proxy", server.Client.ServerInfo?.Name);
        Assert.Equal("2.0.0", server.Client.ServerInfo?.Version); // as proxy-mcp reports it (spec 10)
    }
}
