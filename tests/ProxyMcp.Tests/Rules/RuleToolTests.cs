using System.Net;
using System.Text.Json;
using ProxyMcp.TestSupport;
using ProxyMcp.Tests.Support;

namespace ProxyMcp.Tests.Rules;

/// <summary>The rule tools: shapes, validation, the simulator, and live traffic through the real proxy.</summary>
public sealed class RuleToolTests : IAsyncLifetime
{
    private InMemoryServer _server = null!;

    public async Task InitializeAsync() => _server = await InMemoryServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public async Task Add_returns_the_rule_in_proxy_mcp_shape_and_crud_works()
    {
        var added = (await _server.CallAsync("proxy_add_rule", new
        {
            description = "mock items",
            priority = 5,
            matcher = Json("""{"method":"get","hostname":"Example.com","pathPattern":"^/api"}"""),
            handler = Json("""{"type":"mock","status":201,"body":"{}","headers":{"content-type":"application/json"}}"""),
        })).AssertSuccess();
        var rule = added["rule"];
        Assert.Equal(["priority", "enabled", "description", "matcher", "handler", "id", "hitCount", "createdAt"],
            rule.EnumerateObject().Select(p => p.Name));
        Assert.Equal("rule_1", rule.GetProperty("id").GetString());
        Assert.Equal("GET", rule.GetProperty("matcher").GetProperty("method").GetString());
        Assert.Equal(201, rule.GetProperty("handler").GetProperty("status").GetInt32());

        var updated = (await _server.CallAsync("proxy_update_rule", new { rule_id = "rule_1", description = "renamed", priority = 1 })).AssertSuccess();
        Assert.Equal("renamed", updated["rule"].GetProperty("description").GetString());
        Assert.Equal("GET", updated["rule"].GetProperty("matcher").GetProperty("method").GetString());

        Assert.Equal("Rule 'rule_1' disabled.", (await _server.CallAsync("proxy_disable_rule", new { rule_id = "rule_1" })).AssertSuccess()["message"].GetString());
        var listed = (await _server.CallAsync("proxy_list_rules")).AssertSuccess();
        Assert.Equal(1, listed["count"].GetInt32());
        Assert.False(listed["rules"][0].GetProperty("enabled").GetBoolean());
        (await _server.CallAsync("proxy_enable_rule", new { rule_id = "rule_1" })).AssertSuccess();

        Assert.Equal("Rule 'rule_1' removed.", (await _server.CallAsync("proxy_remove_rule", new { rule_id = "rule_1" })).AssertSuccess()["message"].GetString());
        Assert.Equal("Rule 'rule_1' not found", (await _server.CallAsync("proxy_remove_rule", new { rule_id = "rule_1" })).AssertError());
        Assert.Equal("Rule 'rule_9' not found", (await _server.CallAsync("proxy_enable_rule", new { rule_id = "rule_9" })).AssertError());
    }

    [Theory]
    [InlineData("""{"urlPattern":"(oops"}""", """{"type":"passthrough"}""", "not a valid regular expression")]
    [InlineData("""{}""", """{"type":"teleport"}""", "handler.type must be one of")]
    [InlineData("""{}""", """{"type":"forward","forwardTo":"http://x:1/path"}""", "without a path")]
    [InlineData("""{"url_pattern":"x"}""", """{"type":"passthrough"}""", "unknown field 'url_pattern'")]
    [InlineData("""{}""", """{"type":"mock","status":"200"}""", "must be a whole number")]
    public async Task Invalid_rules_get_a_clear_error_and_nothing_is_stored(string matcher, string handler, string message)
    {
        var error = (await _server.CallAsync("proxy_add_rule", new { description = "bad", matcher = Json(matcher), handler = Json(handler) })).AssertError();
        Assert.Contains(message, error);
        Assert.Equal(0, (await _server.CallAsync("proxy_list_rules")).AssertSuccess()["count"].GetInt32());
    }

    [Fact]
    public async Task Simulation_explains_every_check_and_picks_the_enabled_winner()
    {
        await _server.CallAsync("proxy_add_rule", new
        {
            description = "api mock",
            matcher = Json("""{"method":"GET","hostname":"example.com","pathPattern":"^/api"}"""),
            handler = Json("""{"type":"mock","status":200}"""),
        });
        await _server.CallAsync("proxy_add_rule", new { description = "disabled first", priority = 1, matcher = Json("{}"), handler = Json("""{"type":"drop"}""") });
        await _server.CallAsync("proxy_disable_rule", new { rule_id = "rule_2" });

        var test = (await _server.CallAsync("proxy_test_rule_match", new
        {
            request = Json("""{"url":"https://example.com/api/v1/items?x=1"}"""),
        })).AssertSuccess();
        Assert.Equal("simulate", test["mode"].GetString());
        var result = test["result"];
        Assert.Equal(2, result.GetProperty("evaluatedCount").GetInt32());
        Assert.Equal(2, result.GetProperty("matchedCount").GetInt32());
        Assert.Equal(1, result.GetProperty("effectiveMatchCount").GetInt32());
        Assert.Equal("rule_1", result.GetProperty("effectiveWinner").GetProperty("ruleId").GetString());
        Assert.Equal("mock", result.GetProperty("effectiveWinner").GetProperty("handlerType").GetString());
        var first = result.GetProperty("results")[0];
        Assert.Equal("rule_2", first.GetProperty("ruleId").GetString());
        Assert.True(first.GetProperty("matched").GetBoolean());
        Assert.False(first.GetProperty("eligible").GetBoolean());
        var apiChecks = result.GetProperty("results")[1].GetProperty("checks");
        Assert.True(apiChecks.GetProperty("pathPattern").GetProperty("passed").GetBoolean());

        var miss = (await _server.CallAsync("proxy_test_rule_match", new
        {
            request = Json("""{"method":"POST","url":"https://example.com/healthz"}"""),
            include_disabled = false,
        })).AssertSuccess()["result"];
        Assert.Equal(JsonValueKind.Null, miss.GetProperty("effectiveWinner").ValueKind);
        var checks = miss.GetProperty("results")[0].GetProperty("checks");
        Assert.Equal("HTTP method mismatch", checks.GetProperty("method").GetProperty("reason").GetString());
        Assert.Equal("Path does not match regex", checks.GetProperty("pathPattern").GetProperty("reason").GetString());

        Assert.Equal("request is required when mode='simulate'", (await _server.CallAsync("proxy_test_rule_match")).AssertError());
        Assert.Equal("exchange_id is required when mode='exchange'", (await _server.CallAsync("proxy_test_rule_match", new { mode = "exchange" })).AssertError());
        Assert.Equal("Exchange 'nope' not found", (await _server.CallAsync("proxy_test_rule_match", new { mode = "exchange", exchange_id = "nope" })).AssertError());
        Assert.Equal("Invalid URL 'not-a-url'", (await _server.CallAsync("proxy_test_rule_match", new { request = Json("""{"url":"not-a-url"}""") })).AssertError());
    }

    [Fact]
    public async Task Rules_apply_live_without_restart_and_the_simulator_agrees_with_live_traffic()
    {
        await using var origin = await TinyOrigin.StartAsync();
        var start = (await _server.CallAsync("proxy_start")).AssertSuccess();
        var port = start["port"].GetInt32();
        using var client = new HttpClient(new SocketsHttpHandler { Proxy = new WebProxy($"http://127.0.0.1:{port}"), UseProxy = true });

        // Before any rule: the origin answers.
        Assert.StartsWith("GET /hello", await client.GetStringAsync(new Uri(origin.BaseUrl, "/hello")));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_server.Runtime.Capture.Count < 1 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Null(_server.Runtime.Capture.Snapshot().Single().MatchedRuleId);
        (await _server.CallAsync("proxy_clear_traffic")).AssertSuccess();

        (await _server.CallAsync("proxy_mock_response", new { status = 418, url_pattern = "/teapot", body = "short and stout", content_type = "text/plain" })).AssertSuccess();
        (await _server.CallAsync("proxy_inject_headers", new { headers = Json("""{"x-injected":"yes"}"""), hostname = "127.0.0.1" })).AssertSuccess();
        await _server.CallAsync("proxy_add_rule", new
        {
            description = "post with secret",
            priority = 1,
            matcher = Json("""{"method":"POST","bodyIncludes":"secret"}"""),
            handler = Json("""{"type":"mock","status":202,"body":"caught"}"""),
        });

        var teapot = await client.GetAsync(new Uri(origin.BaseUrl, "/teapot?x=1"));
        Assert.Equal((HttpStatusCode)418, teapot.StatusCode);
        Assert.Equal("short and stout", await teapot.Content.ReadAsStringAsync());
        var caught = await client.PostAsync(new Uri(origin.BaseUrl, "/submit"), new StringContent("my secret body"));
        Assert.Equal(HttpStatusCode.Accepted, caught.StatusCode);
        var passed = await client.PostAsync(new Uri(origin.BaseUrl, "/submit"), new StringContent("plain body"));
        Assert.Equal("POST /submit plain body", await passed.Content.ReadAsStringAsync());

        // Every live exchange's matchedRuleId equals the simulator's winner for the same request.
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (_server.Runtime.Capture.Count < 3 && DateTime.UtcNow < deadline) await Task.Delay(50);
        foreach (var exchange in _server.Runtime.Capture.Snapshot())
        {
            var test = (await _server.CallAsync("proxy_test_rule_match", new { mode = "exchange", exchange_id = exchange.Id })).AssertSuccess();
            var winner = test["result"].GetProperty("effectiveWinner");
            var expected = winner.ValueKind == JsonValueKind.Null ? null : winner.GetProperty("ruleId").GetString();
            Assert.Equal(expected, exchange.MatchedRuleId);
        }
        var rules = (await _server.CallAsync("proxy_list_rules")).AssertSuccess()["rules"];
        var hits = rules.EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!, r => r.GetProperty("hitCount").GetInt64());
        Assert.Equal(1, hits["rule_1"]); // teapot
        Assert.Equal(1, hits["rule_3"]); // secret post
        Assert.Equal(1, hits["rule_2"]); // header injection: only the plain post (/hello came before the rule)
        Assert.Equal(3, _server.Runtime.Capture.Count);
    }

    [Fact]
    public async Task Over_many_generated_requests_the_simulator_winner_is_the_rule_live_traffic_hits()
    {
        var port = (await _server.CallAsync("proxy_start")).AssertSuccess()["port"].GetInt32();
        string[] rules =
        [
            """{"method":"POST","pathPattern":"^/api/"}""",
            """{"hostname":"*.example.invalid"}""",
            """{"urlPattern":"[?&]debug=1"}""",
            """{"headers":{"x-role":"/^adm/i"}}""",
            """{"method":"PUT","bodyIncludes":"secret"}""",
        ];
        var random = new Random(42);
        for (var i = 0; i < rules.Length; i++)
        {
            (await _server.CallAsync("proxy_add_rule", new
            {
                description = $"r{i}",
                priority = random.Next(3),
                matcher = Json(rules[i]),
                handler = Json($$"""{"type":"mock","status":{{200 + i}}}"""),
            })).AssertSuccess();
        }
        await _server.CallAsync("proxy_disable_rule", new { rule_id = "rule_3" });

        string[] methods = ["GET", "POST", "PUT", "DELETE", "PATCH"];
        string[] hosts = ["api.example.invalid", "example.invalid", "other.invalid"];
        string[] paths = ["/", "/api/items", "/api/items?debug=1", "/static/app.js?v=2&debug=1"];
        using var client = new HttpClient(new SocketsHttpHandler { Proxy = new WebProxy($"http://127.0.0.1:{port}"), UseProxy = true });
        const int count = 120;
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(new HttpMethod(methods[random.Next(methods.Length)]),
                $"http://{hosts[random.Next(hosts.Length)]}{paths[random.Next(paths.Length)]}");
            request.Headers.Add("x-seq", i.ToString());
            if (random.Next(3) == 0) request.Headers.Add("x-role", random.Next(2) == 0 ? "Admin" : "user");
            if (request.Method != HttpMethod.Get && random.Next(2) == 0) request.Content = new StringContent(random.Next(2) == 0 ? "a secret" : "public");
            using var _ = await client.SendAsync(request);
        }
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (_server.Runtime.Capture.Count < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(count, _server.Runtime.Capture.Count);

        var winners = new HashSet<string?>();
        foreach (var exchange in _server.Runtime.Capture.Snapshot())
        {
            var simulated = (await _server.CallAsync("proxy_test_rule_match", new
            {
                request = JsonSerializer.SerializeToElement(new
                {
                    method = exchange.Request.Method,
                    url = exchange.Request.Url,
                    headers = exchange.Request.Headers.ToJoinedMap(),
                    body = exchange.Request.BodyPreview,
                }),
            })).AssertSuccess()["result"].GetProperty("effectiveWinner");
            var expected = simulated.ValueKind == JsonValueKind.Null ? null : simulated.GetProperty("ruleId").GetString();
            Assert.Equal(expected, exchange.MatchedRuleId);
            winners.Add(expected);
        }
        // The generator really exercised several rules and the no-match case.
        Assert.True(winners.Count >= 4, string.Join(",", winners));
        Assert.DoesNotContain("rule_3", winners);
    }

    [Fact]
    public async Task Upstream_tools_set_show_masked_and_remove()
    {
        var set = (await _server.CallAsync("proxy_set_upstream", new { proxy_url = "socks5://bob:hunter2@127.0.0.1:1080", no_proxy = new[] { "localhost", ".internal.test" } })).AssertSuccess();
        Assert.DoesNotContain("hunter2", set.Text);
        Assert.Equal(["localhost", ".internal.test"], set["noProxy"].EnumerateArray().Select(e => e.GetString()));
        (await _server.CallAsync("proxy_set_host_upstream", new { hostname = "api.example.com", proxy_url = "http://127.0.0.1:3128" })).AssertSuccess();

        var status = (await _server.CallAsync("proxy_status")).AssertSuccess();
        Assert.DoesNotContain("hunter2", status.Text);
        Assert.Contains("bob", status["globalUpstream"].GetProperty("proxyUrl").GetString());
        Assert.Equal("http://127.0.0.1:3128", status["hostUpstreams"].GetProperty("api.example.com").GetProperty("proxyUrl").GetString());

        Assert.Equal("Upstream override for 'api.example.com' removed.",
            (await _server.CallAsync("proxy_remove_host_upstream", new { hostname = "api.example.com" })).AssertSuccess()["message"].GetString());
        Assert.Equal("No upstream override for 'api.example.com'",
            (await _server.CallAsync("proxy_remove_host_upstream", new { hostname = "api.example.com" })).AssertError());
        Assert.Contains("not supported", (await _server.CallAsync("proxy_set_upstream", new { proxy_url = "ftp://x:1" })).AssertError());
        Assert.Equal("hostname must be a host name or IP address, without port or path (got 'api.example.com/v1')",
            (await _server.CallAsync("proxy_set_host_upstream", new { hostname = "api.example.com/v1", proxy_url = "http://127.0.0.1:3128" })).AssertError());
        // An unreachable PAC file is the caller's to fix: said plainly, not as "Invalid arguments: …".
        Assert.StartsWith("Could not fetch the PAC file http://127.0.0.1:9/proxy.pac",
            (await _server.CallAsync("proxy_set_upstream", new { proxy_url = "pac+http://127.0.0.1:9/proxy.pac" })).AssertError());
        (await _server.CallAsync("proxy_clear_upstream")).AssertSuccess();
        Assert.Equal(JsonValueKind.Null, (await _server.CallAsync("proxy_status")).AssertSuccess()["globalUpstream"].ValueKind);
    }

    [Fact]
    public async Task Null_no_proxy_entries_are_skipped_as_the_schema_allows()
    {
        var set = (await _server.CallAsync("proxy_set_upstream", new { proxy_url = "http://127.0.0.1:3128", no_proxy = new string?[] { null } })).AssertSuccess();
        Assert.Empty(set["noProxy"].EnumerateArray());
        (await _server.CallAsync("proxy_set_host_upstream", new { hostname = "api.example.com", proxy_url = "http://127.0.0.1:3128", no_proxy = new[] { "localhost", null } })).AssertSuccess();
        var status = (await _server.CallAsync("proxy_status")).AssertSuccess();
        Assert.Equal(["localhost"], status["hostUpstreams"].GetProperty("api.example.com").GetProperty("noProxy").EnumerateArray().Select(e => e.GetString()));
        // The schema says the same: an item of no_proxy is a string or null.
        var tools = await _server.Client.ListToolsAsync(cancellationToken: TestTimeout.Token());
        foreach (var name in new[] { "proxy_set_upstream", "proxy_set_host_upstream" })
        {
            var items = tools.Single(t => t.Name == name).JsonSchema.GetProperty("properties").GetProperty("no_proxy").GetProperty("items");
            Assert.Equal(["string", "null"], items.GetProperty("type").EnumerateArray().Select(e => e.GetString()));
        }
    }

    [Fact]
    public async Task The_simulator_reads_the_url_as_live_traffic_does()
    {
        if (!CurlRunner.IsAvailable) return;
        var port = (await _server.CallAsync("proxy_start")).AssertSuccess()["port"].GetInt32();
        string[] matchers =
        [
            """{"urlPattern":":(80|443)/"}""", // an explicit default port: live URLs never keep it
            """{"urlPattern":"#frag"}""",      // a fragment: clients never send it
            """{"pathPattern":"^/%7e/"}""",    // escapes as written: the proxy never decodes them
            """{"method":"GET"}""",
        ];
        for (var i = 0; i < matchers.Length; i++)
        {
            (await _server.CallAsync("proxy_add_rule", new
            {
                description = $"r{i}", priority = i, matcher = Json(matchers[i]), handler = Json($$"""{"type":"mock","status":{{201 + i}}}"""),
            })).AssertSuccess();
        }

        (string Url, string Winner, string SimulatedUrl, string Path)[] cases =
        [
            ("http://localhost:80/x#frag", "rule_4", "http://localhost/x", "/x"),
            ("https://localhost:443/%7e/x", "rule_3", "https://localhost/%7e/x", "/%7e/x"),
            ("http://localhost:80/%7e/y?q=%41#frag", "rule_3", "http://localhost/%7e/y?q=%41", "/%7e/y?q=%41"),
        ];
        foreach (var (url, expected, simulatedUrl, path) in cases)
        {
            var live = await CurlRunner.RunAsync(["-sS", "-k", "-x", $"http://127.0.0.1:{port}", "-o", "/dev/null", "-w", "%{http_code}", url]);
            var liveStatus = int.Parse(live.EnsureSuccess().StdoutText);
            // An empty method is GET (spec 3.6: the method given or GET).
            var simulated = (await _server.CallAsync("proxy_test_rule_match", new
            {
                request = JsonSerializer.SerializeToElement(new { method = "", url }),
            })).AssertSuccess()["result"];
            var winner = simulated.GetProperty("effectiveWinner").GetProperty("ruleId").GetString();
            Assert.Equal(expected, winner);
            Assert.Equal(200 + int.Parse(expected["rule_".Length..]), liveStatus);
            var request = simulated.GetProperty("request");
            Assert.Equal("GET", request.GetProperty("method").GetString());
            Assert.Equal(simulatedUrl, request.GetProperty("url").GetString());
            Assert.Equal(path, request.GetProperty("path").GetString());
        }
        // Every live exchange agrees with the simulator replaying it.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_server.Runtime.Capture.Count < cases.Length && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal([.. cases.Select(c => c.Winner)], _server.Runtime.Capture.Snapshot().Select(e => e.MatchedRuleId));
    }

    [Fact]
    public async Task A_negative_limit_rules_evaluates_every_rule_and_a_huge_one_is_clamped()
    {
        for (var i = 0; i < 3; i++)
            (await _server.CallAsync("proxy_add_rule", new { description = $"r{i}", matcher = Json("{}"), handler = Json("""{"type":"drop"}""") })).AssertSuccess();
        foreach (var limit in new[] { -1, -1000, 1e12 })
        {
            var result = (await _server.CallAsync("proxy_test_rule_match", new { request = Json("""{"url":"http://a.test/"}"""), limit_rules = limit })).AssertSuccess()["result"];
            Assert.Equal(3, result.GetProperty("evaluatedCount").GetInt32());
        }
        var limited = (await _server.CallAsync("proxy_test_rule_match", new { request = Json("""{"url":"http://a.test/"}"""), limit_rules = 1 })).AssertSuccess()["result"];
        Assert.Equal(1, limited.GetProperty("evaluatedCount").GetInt32());
        Assert.Contains("whole number", (await _server.CallAsync("proxy_test_rule_match", new { request = Json("""{"url":"http://a.test/"}"""), limit_rules = 1.5 })).AssertError());
    }

    [Fact]
    public async Task A_capped_simulation_says_showing_and_total_and_pages_on_with_offset()
    {
        for (var i = 0; i < 150; i++)
        {
            (await _server.CallAsync("proxy_add_rule", new
            {
                description = $"rule number {i}", priority = i, matcher = Json("""{"method":"POST","pathPattern":"^/never"}"""), handler = Json("""{"type":"drop"}"""),
            })).AssertSuccess();
        }
        var seen = new List<string>();
        var offset = 0;
        while (true)
        {
            var call = (await _server.CallAsync("proxy_test_rule_match", new { request = Json("""{"url":"http://a.test/x"}"""), offset })).AssertSuccess();
            Assert.True(call.Text.Length <= 24_000);
            var result = call["result"];
            Assert.Equal(150, result.GetProperty("evaluatedCount").GetInt32());
            Assert.Equal(0, result.GetProperty("matchedCount").GetInt32());
            var page = result.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("ruleId").GetString()!).ToList();
            seen.AddRange(page);
            if (!call.Json.TryGetProperty("truncated", out _)) break;
            Assert.Equal(page.Count, call["showing"].GetInt32());
            Assert.Equal(150, call["total"].GetInt32());
            offset = call["next_offset"].GetInt32();
            Assert.Equal(seen.Count, offset);
        }
        Assert.True(offset > 0, "150 rules did not need a second page");
        Assert.Equal(Enumerable.Range(1, 150).Select(i => $"rule_{i}"), seen);
    }
}
