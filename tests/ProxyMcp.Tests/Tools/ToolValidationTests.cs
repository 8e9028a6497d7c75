using ProxyMcp.Tests.Support;

namespace ProxyMcp.Tests.Tools;

/// <summary>Every bad argument gives the error envelope, isError, and a message saying what to fix.</summary>
public sealed class ToolValidationTests : IAsyncLifetime
{
    private InMemoryServer _server = null!;

    public async Task InitializeAsync() => _server = await InMemoryServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, Dictionary<string, object?>, string> Cases => new()
    {
        { "proxy_list_traffic", new() { ["limit"] = 2.5 }, "limit must be a whole number (got 2.5)" },
        { "proxy_list_traffic", new() { ["status_filter"] = 42 }, "status_filter must be between 100 and 599 (got 42)" },
        { "proxy_list_traffic", new() { ["source_filter"] = "bogus" }, "unknown source_filter 'bogus' (expected explicit or transparent)" },
        { "proxy_list_traffic", new() { ["method_filter"] = "GE T" }, "method_filter must be an HTTP method such as GET or POST (got 'GE T')" },
        { "proxy_start", new() { ["port"] = 70000 }, "port must be between 0 and 65535 (got 70000)" },
        { "proxy_start", new() { ["port"] = -1 }, "port must be between 0 and 65535 (got -1)" },
        { "proxy_start", new() { ["listen_address"] = "example.com" },
            "listen_address must be an IP address such as 127.0.0.1, 0.0.0.0 or ::1 (got 'example.com')" },
        { "proxy_start", new() { ["capture_profile"] = "huge" }, "unknown capture_profile 'huge' (expected preview or full)" },
        { "proxy_get_ca_cert", new() { ["format"] = "der" }, "unknown format 'der' (expected pem or fingerprint or both)" },
        { "proxy_get_exchange", new() { ["exchange_id"] = " " }, "exchange_id must not be empty" },
        { "proxy_get_exchange", new() { ["exchange_id"] = "nope" }, "Exchange 'nope' not found" },
        { "proxy_search_traffic", new() { ["query"] = "" }, "query must not be empty" },
        { "proxy_search_traffic", new() { ["query"] = "x", ["limit"] = 1.5 }, "limit must be a whole number (got 1.5)" },
        { "proxy_query_session", new() { ["session_id"] = "20260101000000_abcdefgh", ["limit"] = 0.5 }, "limit must be a whole number (got 0.5)" },
        { "proxy_stop", new(), "Proxy is not running." },
        // Numbers given as strings are refused by name, as proxy-mcp's schema validation did (the SDK would coerce them).
        { "proxy_start", new() { ["port"] = "23030" }, "port must be a number (got \"23030\")" },
        { "proxy_list_traffic", new() { ["status_filter"] = "200" }, "status_filter must be a number (got \"200\")" },
        { "proxy_add_rule", new() { ["description"] = "d", ["matcher"] = new Dictionary<string, object?>(), ["handler"] = new Dictionary<string, object?> { ["type"] = "mock" }, ["priority"] = "5" },
            "priority must be a number (got \"5\")" },
        { "proxy_start", new() { ["insecure_upstream"] = "false" }, "insecure_upstream must be a boolean (got \"false\")" },
        // A near miss of a real argument name is named; other unknown arguments are ignored as proxy-mcp ignored them.
        { "proxy_add_rule", new() { ["description"] = "d", ["matcher"] = new Dictionary<string, object?>(), ["handler"] = new Dictionary<string, object?> { ["type"] = "mock" }, ["priorty"] = 1 },
            "unknown argument 'priorty' (did you mean 'priority'?)" },
        { "proxy_list_traffic", new() { ["limt"] = 5 }, "unknown argument 'limt' (did you mean 'limit'?)" },
        { "proxy_add_rule", new() { ["description"] = "d", ["matcher"] = "{}", ["handler"] = new Dictionary<string, object?>() },
            "matcher must be an object (got \"{}\")" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Rejects_bad_arguments_with_an_actionable_message(string tool, Dictionary<string, object?> arguments, string message)
    {
        var result = await _server.CallAsync(tool, arguments);

        Assert.Equal(message, result.AssertError());
    }

    [Theory]
    [InlineData(0, -5, 1, 0)]
    [InlineData(5000, 3, 1000, 3)]
    public async Task Page_sizes_and_offsets_out_of_range_are_clamped_as_proxy_mcp_does(int limit, int offset, int usedLimit, int usedOffset)
    {
        var result = (await _server.CallAsync("proxy_list_traffic", new Dictionary<string, object?> { ["limit"] = limit, ["offset"] = offset })).AssertSuccess();

        Assert.Equal(usedLimit, result["limit"].GetInt32());
        Assert.Equal(usedOffset, result["offset"].GetInt32());
    }

    [Fact]
    public async Task Wrong_json_type_is_an_error_envelope_not_a_crash()
    {
        var result = await _server.CallAsync("proxy_list_traffic", new Dictionary<string, object?> { ["limit"] = "lots" });

        Assert.Equal("limit must be a number (got \"lots\")", result.AssertError());
        (await _server.CallAsync("proxy_status")).AssertSuccess();
    }

    [Fact]
    public async Task Unknown_arguments_that_are_no_near_miss_are_ignored()
    {
        (await _server.CallAsync("proxy_list_traffic", new Dictionary<string, object?> { ["verbose"] = true, ["x"] = 1 })).AssertSuccess();
    }

    [Fact]
    public async Task Missing_required_argument_is_an_error_envelope()
    {
        var result = await _server.CallAsync("proxy_search_traffic");

        Assert.Equal("query is required", result.AssertError());
    }
}
