using ProxyMcp.Engine.Rules;

namespace ProxyMcp.Engine.Tests.Rules;

public sealed class RuleStoreTests
{
    private static readonly RuleHandler Passthrough = new() { Type = "passthrough" };

    [Fact]
    public void Ids_count_up_and_are_never_reused()
    {
        var store = new RuleStore();
        var first = store.Add("a", 100, new RuleMatcher(), Passthrough);
        Assert.Equal("rule_1", first.Rule.Id);
        Assert.True(store.Remove("rule_1"));
        Assert.Equal("rule_2", store.Add("b", 100, new RuleMatcher(), Passthrough).Rule.Id);
        Assert.False(store.Remove("rule_1"));
    }

    [Fact]
    public void Order_is_priority_then_insertion_and_disabled_rules_never_win()
    {
        var store = new RuleStore();
        store.Add("late", 10, new RuleMatcher(), Passthrough);
        store.Add("early", 5, new RuleMatcher(), Passthrough);
        store.Add("tie", 10, new RuleMatcher(), Passthrough);
        Assert.Equal(["early", "late", "tie"], store.Current.Ordered.Select(r => r.Rule.Description));
        store.SetEnabled("rule_2", false);
        Assert.Equal("late", store.Current.FindMatch(Any())!.Rule.Description);
        Assert.Equal(3, store.Current.Ordered.Length);
        Assert.Equal(2, store.Current.Active.Length);
    }

    [Fact]
    public void A_snapshot_taken_before_a_change_is_unaffected_by_it()
    {
        var store = new RuleStore();
        store.Add("a", 1, new RuleMatcher(), new RuleHandler { Type = "mock", Status = 201 });
        var before = store.Current;
        store.Update("rule_1", handler: new RuleHandler { Type = "mock", Status = 202 });
        Assert.Equal(201, before.Ordered[0].Rule.Handler.Status);
        Assert.Equal(202, store.Current.Ordered[0].Rule.Handler.Status);
    }

    [Fact]
    public void Hit_counts_survive_updates()
    {
        var store = new RuleStore();
        var rule = store.Add("a", 1, new RuleMatcher(), Passthrough);
        rule.RecordHit();
        rule.RecordHit();
        var updated = store.Update("rule_1", description: "renamed");
        Assert.Equal(2, updated.HitCount);
    }

    [Theory]
    [InlineData("(unclosed", null, null, "matcher.urlPattern is not a valid regular expression")]
    [InlineData(null, "host:8080", null, "matcher.hostname must be a host name")]
    [InlineData(null, null, "teleport", "handler.type must be one of")]
    public void Invalid_rules_are_rejected_with_a_clear_message_and_nothing_is_stored(string? url, string? host, string? type, string message)
    {
        var store = new RuleStore();
        var ex = Assert.Throws<RuleValidationException>(() =>
            store.Add("bad", 1, new RuleMatcher { UrlPattern = url, Hostname = host }, new RuleHandler { Type = type ?? "passthrough" }));
        Assert.Contains(message, ex.Message);
        Assert.Equal(0, store.Count);
        Assert.Equal("rule_1", store.Add("ok", 1, new RuleMatcher(), Passthrough).Rule.Id);
    }

    [Fact]
    public void Header_values_with_line_breaks_or_nul_are_rejected_where_they_are_set()
    {
        var store = new RuleStore();
        var cases = new (RuleHandler Handler, string Field)[]
        {
            (new RuleHandler { Type = "mock", Headers = new Dictionary<string, string> { ["Content-Type"] = "text/plain\r\nSet-Cookie: x=1" } }, "handler.headers"),
            (new RuleHandler { Type = "passthrough", TransformRequest = new RequestTransform { UpdateHeaders = new Dictionary<string, string?> { ["X-A"] = "a\nb" } } }, "transformRequest.updateHeaders"),
            (new RuleHandler { Type = "passthrough", TransformResponse = new ResponseTransform { UpdateHeaders = new Dictionary<string, string?> { ["X-A"] = "a\0b" } } }, "transformResponse.updateHeaders"),
        };
        foreach (var (handler, field) in cases)
        {
            var ex = Assert.Throws<RuleValidationException>(() => store.Add("bad", 1, new RuleMatcher(), handler));
            Assert.Contains($"{field} has a value with a line break or NUL character", ex.Message);
        }
        Assert.Equal(0, store.Count);
        // A null value (delete the header) and ordinary values are fine.
        store.Add("ok", 1, new RuleMatcher(), new RuleHandler
        {
            Type = "passthrough",
            TransformRequest = new RequestTransform { UpdateHeaders = new Dictionary<string, string?> { ["X-Drop"] = null, ["X-Set"] = "a, b; q=1" } },
        });
        Assert.Equal(1, store.Count);
    }

    [Theory]
    [InlineData("Content-Length")]
    [InlineData("transfer-encoding")]
    [InlineData("Connection")]
    [InlineData("Upgrade")]
    public void Transforms_may_not_touch_framing_or_hop_by_hop_headers(string name)
    {
        var store = new RuleStore();
        var request = Assert.Throws<RuleValidationException>(() => store.Add("q", 1, new RuleMatcher(), new RuleHandler
        {
            Type = "passthrough", TransformRequest = new RequestTransform { UpdateHeaders = new Dictionary<string, string?> { [name] = "3" } },
        }));
        Assert.Contains($"transformRequest.updateHeaders cannot set or remove '{name}'", request.Message);
        var response = Assert.Throws<RuleValidationException>(() => store.Add("r", 1, new RuleMatcher(), new RuleHandler
        {
            Type = "passthrough", TransformResponse = new ResponseTransform { UpdateHeaders = new Dictionary<string, string?> { [name] = null } },
        }));
        Assert.Contains($"transformResponse.updateHeaders cannot set or remove '{name}'", response.Message);
        Assert.Equal(0, store.Count);
    }

    [Theory]
    [InlineData(101)]
    [InlineData(199)]
    [InlineData(600)]
    public void Mock_and_replaced_statuses_must_be_final(int status)
    {
        var store = new RuleStore();
        var mock = Assert.Throws<RuleValidationException>(() => store.Add("m", 1, new RuleMatcher(), new RuleHandler { Type = "mock", Status = status }));
        Assert.Contains("handler.status must be a final HTTP status between 200 and 599", mock.Message);
        var replaced = Assert.Throws<RuleValidationException>(() => store.Add("r", 1, new RuleMatcher(), new RuleHandler
        {
            Type = "passthrough", TransformResponse = new ResponseTransform { ReplaceStatus = status },
        }));
        Assert.Contains("transformResponse.replaceStatus must be a final HTTP status between 200 and 599", replaced.Message);
    }

    [Theory]
    [InlineData(null, "handler.forwardTo is required")]
    [InlineData("http://127.0.0.1:8080/path", "without a path")]
    [InlineData("ftp://host", "scheme must be http or https")]
    public void Forward_targets_are_validated(string? forwardTo, string message)
    {
        var ex = Assert.Throws<RuleValidationException>(() =>
            new RuleStore().Add("f", 1, new RuleMatcher(), new RuleHandler { Type = "forward", ForwardTo = forwardTo }));
        Assert.Contains(message, ex.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", "http", "127.0.0.1", 8080)]
    [InlineData("backend.test", null, "backend.test", null)]
    [InlineData("https://backend.test/", "https", "backend.test", null)]
    [InlineData("[::1]:9000", null, "[::1]", 9000)]
    public void Forward_targets_parse(string value, string? scheme, string host, int? port)
    {
        Assert.Equal(new ForwardTarget(scheme, host, port), ForwardTarget.Parse(value));
    }

    [Fact]
    public void Body_rewrites_replace_every_occurrence_literally_or_by_regex()
    {
        var literal = BodyRewrite.Compile([["a.b", "X"]], regex: false, "f")!;
        Assert.Equal("X X axb", literal.Apply("a.b a.b axb"));
        var regex = BodyRewrite.Compile([[@"(\d+)", "<$1>"]], regex: true, "f")!;
        Assert.Equal("id <12> and <7>", regex.Apply("id 12 and 7"));
    }

    private static RuleRequest Any() => new()
    {
        Method = "GET", Url = "http://x.test/", Hostname = "x.test", Path = "/", Headers = [],
    };
}
