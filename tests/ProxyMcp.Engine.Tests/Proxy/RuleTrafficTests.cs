using System.IO.Compression;
using System.Net;
using System.Text;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Engine.Rules;
using ProxyMcp.TestSupport;

namespace ProxyMcp.Engine.Tests.Proxy;

/// <summary>Rules applied to live traffic over HTTP/1.1, HTTPS and HTTP/2, changed while traffic flows.</summary>
public sealed class RuleTrafficTests : OriginBehindProxy
{
    [Theory]
    [InlineData("http", "1.1")]
    [InlineData("https", "1.1")]
    [InlineData("https", "2.0")]
    public async Task Mocks_answer_without_theOrigin_and_record_the_rule(string scheme, string version)
    {
        var rule = Rules.Add("mock", 1, new RuleMatcher { PathPattern = "^/api/" },
            new RuleHandler { Type = "mock", Status = 418, Body = "teapot", Headers = new Dictionary<string, string> { ["x-mock"] = "1" } });
        using var client = Proxy.CreateClient(Version.Parse(version));
        using var response = await client.GetAsync($"{BaseUrl(scheme)}/api/items?x=1");
        Assert.Equal((HttpStatusCode)418, response.StatusCode);
        Assert.Equal("teapot", await response.Content.ReadAsStringAsync());
        Assert.Equal("1", response.Headers.GetValues("x-mock").Single());
        Assert.DoesNotContain(Origin.Requests, r => r.Path.StartsWith("/api/"));

        var exchange = await Proxy.WaitForExchangeAsync(e => e.Request.Path == "/api/items?x=1");
        Assert.Equal(rule.Rule.Id, exchange.MatchedRuleId);
        Assert.Equal("teapot", exchange.Response!.BodyPreview);
        Assert.Equal(1, Rules.TryGet(rule.Rule.Id)!.HitCount);
    }

    [Theory]
    [InlineData("http", "1.1")]
    [InlineData("https", "2.0")]
    public async Task Mock_headers_that_would_break_framing_are_left_to_the_server(string scheme, string version)
    {
        Rules.Add("framing", 1, new RuleMatcher { PathPattern = "^/framing" }, new RuleHandler
        {
            Type = "mock", Status = 200, Body = "framed by kestrel",
            Headers = new Dictionary<string, string> { ["Transfer-Encoding"] = "chunked", ["Connection"] = "close", ["Content-Length"] = "999", ["X-Kept"] = "yes" },
        });
        using var client = Proxy.CreateClient(Version.Parse(version));
        for (var i = 0; i < 2; i++)
        {
            using var response = await client.GetAsync($"{BaseUrl(scheme)}/framing");
            Assert.Equal("framed by kestrel", await response.Content.ReadAsStringAsync());
            Assert.Equal(17, response.Content.Headers.ContentLength);
            Assert.Null(response.Headers.TransferEncodingChunked);
            Assert.Equal("yes", response.Headers.GetValues("X-Kept").Single());
        }
    }

    [Theory]
    [InlineData("http", "1.1")]
    [InlineData("https", "2.0")]
    public async Task Replacing_the_status_with_204_drops_the_origins_body_and_the_connection_stays_usable(string scheme, string version)
    {
        Rules.Add("no content", 1, new RuleMatcher { PathPattern = "^/hello\\?nc" }, new RuleHandler
        {
            Type = "passthrough", TransformResponse = new ResponseTransform { ReplaceStatus = 204 },
        });
        using var client = Proxy.CreateClient(Version.Parse(version));
        using var replaced = await client.GetAsync($"{BaseUrl(scheme)}/hello?nc=1");
        Assert.Equal(HttpStatusCode.NoContent, replaced.StatusCode);
        Assert.Empty(await replaced.Content.ReadAsByteArrayAsync());
        Assert.Equal(OriginServer.HelloBody, await client.GetStringAsync($"{BaseUrl(scheme)}/hello?after=1"));
        var exchange = await Proxy.WaitForExchangeAsync(e => e.Request.Path == "/hello?nc=1");
        Assert.Equal(204, exchange.Response?.StatusCode);
        Assert.Null(exchange.Error);
    }

    [Theory]
    [InlineData("http", "1.1")]
    [InlineData("https", "2.0")]
    public async Task Request_transforms_change_method_headers_url_and_body(string scheme, string version)
    {
        Rules.Add("transform", 1, new RuleMatcher { Method = "POST", PathPattern = "^/original" }, new RuleHandler
        {
            Type = "passthrough",
            TransformRequest = new RequestTransform
            {
                ReplaceMethod = "PUT",
                UpdateHeaders = new Dictionary<string, string?> { ["x-added"] = "yes", ["x-remove-me"] = null },
                MatchReplaceBody = [["cat", "dog"]],
                RewriteUrl = new UrlRewrite("/original", "/echo"),
            },
        });
        using var client = Proxy.CreateClient(Version.Parse(version));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{BaseUrl(scheme)}/original?q=1")
        {
            Content = new StringContent("cat and cat", Encoding.UTF8, "text/plain"),
        };
        request.Headers.Add("x-remove-me", "gone");
        using var response = await client.SendAsync(request);
        var echo = EchoResponse.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("PUT", echo.Method);
        Assert.Equal("/echo", echo.Path);
        Assert.Equal("?q=1", echo.Query);
        Assert.Equal("dog and dog", echo.Body);
        Assert.Equal("yes", echo.Header("x-added"));
        Assert.Null(echo.Header("x-remove-me"));
    }

    [Fact]
    public async Task Response_transforms_rewrite_a_compressed_body_and_reencode_it()
    {
        Rules.Add("rewrite gzip", 1, new RuleMatcher { PathPattern = "^/gzip$" }, new RuleHandler
        {
            Type = "passthrough",
            TransformResponse = new ResponseTransform
            {
                ReplaceStatus = 203,
                UpdateHeaders = new Dictionary<string, string?> { ["x-rewritten"] = "1" },
                MatchReplaceBody = [["compressed-(hello)", "changed-$1"]],
                Regex = true,
            },
        });
        using var client = Proxy.CreateClient();
        using var response = await client.GetAsync($"{Origin.HttpsUrl}/gzip");
        Assert.Equal((HttpStatusCode)203, response.StatusCode);
        Assert.Equal("gzip", response.Content.Headers.ContentEncoding.Single());
        var compressed = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(compressed.Length, response.Content.Headers.ContentLength);
        using var gunzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        var text = await new StreamReader(gunzip).ReadToEndAsync();
        Assert.Equal(CompressedContent.ExpectedText.Replace("compressed-hello", "changed-hello"), text);
    }

    [Fact]
    public async Task Forward_sends_the_request_to_another_host_keeping_path_and_query()
    {
        Rules.Add("to plain origin", 1, new RuleMatcher { Hostname = "backend.invalid" },
            new RuleHandler { Type = "forward", ForwardTo = $"http://127.0.0.1:{Origin.HttpPort}" });
        using var client = Proxy.CreateClient();
        var echo = EchoResponse.Parse(await client.GetStringAsync("http://backend.invalid/echo?a=b"));
        Assert.Equal("/echo", echo.Path);
        Assert.Equal("?a=b", echo.Query);
        Assert.Equal($"127.0.0.1:{Origin.HttpPort}", echo.Host);
    }

    [Fact]
    public async Task Drop_closes_the_connection_and_delay_waits()
    {
        Rules.Add("drop", 1, new RuleMatcher { PathPattern = "^/hello\\?drop" }, new RuleHandler { Type = "drop" });
        Rules.Add("slow", 2, new RuleMatcher { PathPattern = "^/hello\\?delay" }, new RuleHandler { Type = "passthrough", DelayMs = 300 });
        using var client = Proxy.CreateClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"{Origin.HttpUrl}/hello?drop=1"));
        var dropped = await Proxy.WaitForExchangeAsync(e => e.Request.Path == "/hello?drop=1");
        Assert.Equal(ExchangeErrorKind.Dropped, dropped.Error!.Kind);
        Assert.Null(dropped.Response);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(OriginServer.HelloBody, await client.GetStringAsync($"{Origin.HttpUrl}/hello?delay=1"));
        Assert.True(watch.ElapsedMilliseconds >= 290);
    }

    [Fact]
    public async Task Body_conditions_read_the_decoded_request_body_and_still_forward_all_of_it()
    {
        Rules.Add("json with token", 1, new RuleMatcher { BodyIncludes = "\"token\"" },
            new RuleHandler { Type = "passthrough", TransformRequest = new RequestTransform { UpdateHeaders = new Dictionary<string, string?> { ["x-had-token"] = "1" } } });
        using var client = Proxy.CreateClient();
        var payload = "{\"token\":\"abc\"," + new string(' ', 3 * 1024 * 1024) + "\"end\":1}";
        var gzipped = new MemoryStream();
        await using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true))
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(payload));
        var content = new ByteArrayContent(gzipped.ToArray());
        content.Headers.ContentEncoding.Add("gzip");
        var response = await client.PostAsync($"{Origin.HttpUrl}/upload", content);
        Assert.Equal(gzipped.Length, UploadResponse.Parse(await response.Content.ReadAsStringAsync()).Bytes);
        var received = await Origin.WaitForRequestAsync(r => r.Path == "/upload");
        Assert.Equal("1", received.Header("x-had-token"));
    }

    [Fact]
    public async Task Changing_rules_during_a_long_download_neither_interrupts_it_nor_restarts_anything()
    {
        const long size = 64L * 1024 * 1024;
        using var client = Proxy.CreateClient(HttpVersion.Version20);
        using var response = await client.GetAsync($"{Origin.HttpsUrl}/bytes?size={size}", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var verifier = new BytePatternVerifier();
        var buffer = new byte[64 * 1024];
        var changes = 0;
        int read;
        using var sideClient = Proxy.CreateClient();
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            verifier.Append(buffer.AsSpan(0, read));
            if (verifier.Position > (changes + 1) * 8L * 1024 * 1024 && changes < 5)
            {
                changes++;
                var rule = Rules.Add($"change {changes}", 0, new RuleMatcher { PathPattern = "^/hello" },
                    new RuleHandler { Type = "mock", Status = 200 + changes, Body = "mocked" });
                // The change is live for the next request on another connection…
                using var mocked = await sideClient.GetAsync($"{Origin.HttpUrl}/hello");
                Assert.Equal(200 + changes, (int)mocked.StatusCode);
                Rules.Remove(rule.Rule.Id);
                await Task.Delay(20);
            }
        }
        // …and the download on the first connection never noticed.
        Assert.Equal(5, changes);
        Assert.Equal(size, verifier.Position);
    }
}

