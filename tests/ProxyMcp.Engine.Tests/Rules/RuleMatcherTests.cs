using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Engine.Rules;

namespace ProxyMcp.Engine.Tests.Rules;

public sealed class RuleMatcherTests
{
    private static RuleRequest Request(string method = "GET", string url = "https://api.example.com/v1/items?x=1",
        HeaderList? headers = null, string body = "")
    {
        var uri = new Uri(url);
        return new RuleRequest
        {
            Method = method, Url = url, Hostname = uri.Host, Path = uri.PathAndQuery, Headers = headers ?? [], Body = body,
        };
    }

    private static CompiledRule Compile(RuleMatcher matcher)
    {
        var store = new RuleStore();
        return store.Add("t", 100, matcher, new RuleHandler { Type = "passthrough" });
    }

    [Theory]
    [InlineData("PROPFIND", "propfind", true)]
    [InlineData("PURGE", "PURGE", true)]
    [InlineData("GET", "POST", false)]
    public void Any_method_token_matches_case_insensitively(string rule, string request, bool expected)
    {
        Assert.Equal(expected, Compile(new RuleMatcher { Method = rule }).Matches(Request(method: request)));
    }

    [Fact]
    public void Url_pattern_sees_the_query_string()
    {
        var rule = Compile(new RuleMatcher { UrlPattern = @"items\?x=1$" });
        Assert.True(rule.Matches(Request()));
        Assert.False(rule.Matches(Request(url: "https://api.example.com/v1/items?x=2")));
    }

    [Theory]
    [InlineData("API.Example.com", "api.example.com", true)]
    [InlineData("*.example.com", "api.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", "badexample.com", false)]
    [InlineData("example.com", "api.example.com", false)]
    public void Hostname_is_case_insensitive_with_wildcards(string pattern, string host, bool expected)
    {
        Assert.Equal(expected, CompiledRule.HostnameMatches(pattern, host));
    }

    [Fact]
    public void Headers_match_exactly_or_by_regex_and_repeated_fields_count()
    {
        var headers = new HeaderList { { "Accept", "text/html" }, { "Accept", "application/json" }, { "X-Api-Key", "Key-123" } };
        Assert.True(Compile(new RuleMatcher { Headers = new Dictionary<string, string> { ["accept"] = "application/json" } })
            .Matches(Request(headers: headers)));
        Assert.True(Compile(new RuleMatcher { Headers = new Dictionary<string, string> { ["x-api-key"] = "/^key-\\d+$/i" } })
            .Matches(Request(headers: headers)));
        Assert.False(Compile(new RuleMatcher { Headers = new Dictionary<string, string> { ["x-api-key"] = "/^key-\\d+$/" } })
            .Matches(Request(headers: headers)));
        Assert.False(Compile(new RuleMatcher { Headers = new Dictionary<string, string> { ["missing"] = "x" } })
            .Matches(Request(headers: headers)));
    }

    [Fact]
    public void Explanation_reports_every_check_with_reasons()
    {
        var rule = Compile(new RuleMatcher
        {
            Method = "post",
            UrlPattern = "items",
            Hostname = "other.test",
            PathPattern = "^/v1/",
            Headers = new Dictionary<string, string> { ["x-token"] = "abc" },
            BodyIncludes = "needle",
        });
        var checks = rule.Explain(Request(body: "hay"));
        Assert.False(checks.Method.Passed);
        Assert.Equal("HTTP method mismatch", checks.Method.Reason);
        Assert.True(checks.UrlPattern.Passed);
        Assert.Equal("Hostname mismatch", checks.Hostname.Reason);
        Assert.True(checks.PathPattern.Passed);
        Assert.Equal("x-token", Assert.Single(checks.Headers.Mismatch!).Header);
        Assert.Equal("Body does not include required substring", checks.BodyIncludes.Reason);
        Assert.False(checks.AllPassed);

        var empty = Compile(new RuleMatcher()).Explain(Request());
        Assert.True(empty.AllPassed);
        Assert.False(empty.Method.Applies);
    }

    [Fact]
    public void Live_matching_and_explanation_agree_on_many_generated_requests()
    {
        var random = new Random(1234);
        string[] methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "PROPFIND"];
        string[] hosts = ["api.example.com", "www.example.com", "example.com", "cdn.other.test"];
        string[] paths = ["/", "/v1/items", "/v1/items?x=1", "/v2/users/7", "/static/app.js"];
        var matchers = new[]
        {
            new RuleMatcher { Method = "POST" },
            new RuleMatcher { Hostname = "*.example.com", PathPattern = "^/v1/" },
            new RuleMatcher { UrlPattern = @"users/\d+" },
            new RuleMatcher { Headers = new Dictionary<string, string> { ["x-debug"] = "1" } },
            new RuleMatcher { BodyIncludes = "secret", Method = "PUT" },
        };
        var store = new RuleStore();
        foreach (var matcher in matchers) store.Add("r", random.Next(3), matcher, new RuleHandler { Type = "passthrough" });
        for (var i = 0; i < 2000; i++)
        {
            var url = $"https://{hosts[random.Next(hosts.Length)]}{paths[random.Next(paths.Length)]}";
            var headers = random.Next(2) == 0 ? new HeaderList { { "X-Debug", "1" } } : new HeaderList();
            var request = Request(methods[random.Next(methods.Length)], url, headers, random.Next(3) == 0 ? "a secret body" : "plain");
            var live = store.Current.FindMatch(request);
            var explained = store.Current.Ordered.FirstOrDefault(r => r.Rule.Enabled && r.Explain(request).AllPassed);
            Assert.Same(explained, live);
        }
    }
}
