using ProxyMcp.Engine.Rules;
using ProxyMcp.TestSupport;

namespace ProxyMcp.Engine.Tests.Proxy;

/// <summary>
/// Request headers and content headers (Content-Type, Content-Language, …) reach the origin whether the request has a
/// body or not, with and without rules changing them; curl is the client, over HTTP/1.1 and HTTP/2.
/// </summary>
public sealed class RequestHeaderTrafficTests : OriginBehindProxy
{
    private async Task<EchoResponse> CurlEchoAsync(string scheme, string flag, string path, params string[] arguments)
    {
        var result = await CurlRunner.RunAsync(["-sS", flag, "--cacert", Proxy.CaPath, "-x", Proxy.Url.ToString(), .. arguments,
            $"{BaseUrl(scheme)}{path}"]);
        var echo = EchoResponse.Parse(result.EnsureSuccess().StdoutText);
        var exchange = await Proxy.WaitForExchangeAsync(e => e.Request.Path == path);
        Assert.Null(exchange.Error);
        return echo;
    }

    private void AddHeaderRule(string pathPattern, Dictionary<string, string?> updates, string type = "passthrough", string? forwardTo = null) =>
        Rules.Add(pathPattern, 1, new RuleMatcher { PathPattern = pathPattern },
            new RuleHandler { Type = type, ForwardTo = forwardTo, TransformRequest = new RequestTransform { UpdateHeaders = updates } });

    [Theory]
    [InlineData("http", "--http1.1")]
    [InlineData("https", "--http1.1")]
    [InlineData("https", "--http2")]
    public async Task Injecting_a_request_header_into_a_request_with_a_body_keeps_the_connection_and_the_body(string scheme, string flag)
    {
        if (!CurlRunner.IsAvailable) return;
        // What proxy_inject_headers {"headers":{"User-Agent":"agent/1"}} adds.
        AddHeaderRule("^/echo\\?inj", new() { ["User-Agent"] = "agent/1" });
        var echo = await CurlEchoAsync(scheme, flag, "/echo?inj", "-d", "x");
        Assert.Equal("agent/1", echo.Header("User-Agent"));
        Assert.Equal("POST", echo.Method);
        Assert.Equal("x", echo.Body);
        Assert.Equal("application/x-www-form-urlencoded", echo.Header("Content-Type"));
    }

    [Theory]
    [InlineData("http", "--http1.1")]
    [InlineData("https", "--http2")]
    public async Task A_forward_rule_sets_authorization_on_a_post(string scheme, string flag)
    {
        if (!CurlRunner.IsAvailable) return;
        var origin = scheme == "https" ? $"https://localhost:{Origin.HttpsPort}" : $"http://127.0.0.1:{Origin.HttpPort}";
        AddHeaderRule("^/echo\\?fwd", new() { ["Authorization"] = "Bearer x" }, "forward", origin);
        var echo = await CurlEchoAsync(scheme, flag, "/echo?fwd", "-d", "payload", "-H", "Authorization: Basic old");
        Assert.Equal("Bearer x", echo.Header("Authorization"));
        Assert.Equal("payload", echo.Body);
    }

    [Theory]
    [InlineData("http", "--http1.1")]
    [InlineData("https", "--http2")]
    public async Task Rules_remove_or_set_content_type_with_and_without_a_body(string scheme, string flag)
    {
        if (!CurlRunner.IsAvailable) return;
        AddHeaderRule("^/echo\\?del", new() { ["Content-Type"] = null });
        AddHeaderRule("^/echo\\?set", new() { ["Content-Type"] = "text/x" });

        var removedOnGet = await CurlEchoAsync(scheme, flag, "/echo?del-get", "-H", "Content-Type: a/b", "-H", "X-Other: kept");
        Assert.Null(removedOnGet.Header("Content-Type"));
        Assert.Equal("kept", removedOnGet.Header("X-Other"));
        // Nothing left to carry: the GET leaves as bodyless as it came.
        Assert.Null(removedOnGet.Header("Content-Length"));

        var removedOnPost = await CurlEchoAsync(scheme, flag, "/echo?del-post", "-d", "body");
        Assert.Null(removedOnPost.Header("Content-Type"));
        Assert.Equal("body", removedOnPost.Body);

        var setOnGet = await CurlEchoAsync(scheme, flag, "/echo?set-get");
        Assert.Equal("GET", setOnGet.Method);
        Assert.Equal("text/x", setOnGet.Header("Content-Type"));
        Assert.Equal(0, setOnGet.BodyLength);

        var setOnPost = await CurlEchoAsync(scheme, flag, "/echo?set-post", "-d", "body");
        Assert.Equal("text/x", setOnPost.Header("Content-Type"));
        Assert.Equal("body", setOnPost.Body);
    }

    [Theory]
    [InlineData("http", "--http1.1", "GET")]
    [InlineData("http", "--http1.1", "DELETE")]
    [InlineData("https", "--http2", "GET")]
    [InlineData("https", "--http2", "DELETE")]
    public async Task Content_headers_of_a_bodyless_request_reach_the_origin_without_any_rule(string scheme, string flag, string method)
    {
        if (!CurlRunner.IsAvailable) return;
        var echo = await CurlEchoAsync(scheme, flag, $"/echo?ct-{method}", "-X", method,
            "-H", "Content-Type: a/b", "-H", "Content-Language: de", "-H", "Expires: 0");
        Assert.Equal(method, echo.Method);
        Assert.Equal("a/b", echo.Header("Content-Type"));
        Assert.Equal("de", echo.Header("Content-Language"));
        Assert.Equal("0", echo.Header("Expires"));
        // HttpClient writes content headers only with a content, so the empty body they ride on is announced (README).
        Assert.Equal("0", echo.Header("Content-Length"));
        Assert.Equal(0, echo.BodyLength);
    }
}
