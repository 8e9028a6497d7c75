using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Client;
using ProxyMcp.Cli;
using ProxyMcp.Proxy;
using ProxyMcp.Tests.Support;

namespace ProxyMcp.Tests.EndToEnd;

/// <summary>The Streamable HTTP transport: loopback guard, bearer token, and a working session with the token.</summary>
public sealed class HttpTransportTests : IAsyncLifetime
{
    private const string Token = "test-token-0123456789";
    private readonly TempDirectory _data = new();
    private WebApplication _app = null!;
    private Uri _endpoint = null!;

    public async Task InitializeAsync()
    {
        _app = HttpTransportServer.Build(new RuntimeSettings { DataDirectory = _data.Path }, new HttpEndpointOptions("127.0.0.1", 0, Token));
        await _app.StartAsync(TestTimeout.Token());
        _endpoint = HttpTransportServer.EndpointUrl(_app);
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _data.Dispose();
    }

    private static HttpRequestMessage Initialize(Uri uri) => new(HttpMethod.Post, uri)
    {
        Content = new StringContent(
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""",
            Encoding.UTF8, "application/json"),
        Headers = { Accept = { new MediaTypeWithQualityHeaderValue("application/json"), new MediaTypeWithQualityHeaderValue("text/event-stream") } },
    };

    [Fact]
    public async Task A_foreign_origin_is_refused_with_403_even_with_the_token()
    {
        using var http = new HttpClient();
        using var request = Initialize(_endpoint);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        request.Headers.Add("Origin", "https://evil.example");

        using var response = await http.SendAsync(request, TestTimeout.Token());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_rebinding_host_name_is_refused_with_403()
    {
        using var http = new HttpClient();
        using var request = Initialize(_endpoint);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        request.Headers.Host = "attacker.example";

        using var response = await http.SendAsync(request, TestTimeout.Token());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token-xyz")]
    public async Task A_missing_or_wrong_token_is_refused_with_401(string? token)
    {
        using var http = new HttpClient();
        using var request = Initialize(_endpoint);
        request.Headers.Add("Origin", "http://localhost:5173");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await http.SendAsync(request, TestTimeout.Token());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Other_paths_are_404()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_endpoint, "/elsewhere"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        using var response = await http.SendAsync(request, TestTimeout.Token());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private Task<McpClient> ConnectAsync() => McpClient.CreateAsync(
        new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = _endpoint,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + Token },
        }, NullLoggerFactory.Instance),
        loggerFactory: NullLoggerFactory.Instance,
        cancellationToken: TestTimeout.Token());

    [Fact]
    public async Task With_the_token_the_sdk_client_initializes_and_calls_tools()
    {
        await using var client = await ConnectAsync();

        Assert.Equal("proxy", client.ServerInfo?.Name);
        var status = ToolCall.From(await client.CallToolAsync("proxy_status", cancellationToken: TestTimeout.Token())).AssertSuccess();
        Assert.False(status["running"].GetBoolean());
    }

    [Fact]
    public async Task Several_clients_share_one_proxy()
    {
        await using var first = await ConnectAsync();
        await using var second = await ConnectAsync();

        var start = ToolCall.From(await first.CallToolAsync("proxy_start", cancellationToken: TestTimeout.Token())).AssertSuccess();
        var seen = ToolCall.From(await second.CallToolAsync("proxy_status", cancellationToken: TestTimeout.Token())).AssertSuccess();
        var again = ToolCall.From(await second.CallToolAsync("proxy_start", cancellationToken: TestTimeout.Token()));
        ToolCall.From(await second.CallToolAsync("proxy_stop", cancellationToken: TestTimeout.Token())).AssertSuccess();

        Assert.True(seen["running"].GetBoolean());
        Assert.Equal(start["port"].GetInt32(), seen["port"].GetInt32());
        Assert.Equal("Proxy is already running. Stop it first.", again.AssertError());
    }

    [Fact]
    public async Task Initialize_opens_a_session_that_delete_ends()
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var initialize = Initialize(_endpoint);
        using var initialized = await http.SendAsync(initialize, TestTimeout.Token());
        Assert.Equal(HttpStatusCode.OK, initialized.StatusCode);
        var sessionId = Assert.Single(initialized.Headers.GetValues("Mcp-Session-Id"));

        using var end = new HttpRequestMessage(HttpMethod.Delete, _endpoint) { Headers = { { "Mcp-Session-Id", sessionId } } };
        using var ended = await http.SendAsync(end, TestTimeout.Token());
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);

        // The ended session is gone: a request naming it is refused, not answered by a new session.
        using var after = Initialize(_endpoint);
        after.Headers.Add("Mcp-Session-Id", sessionId);
        using var refused = await http.SendAsync(after, TestTimeout.Token());
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }
}
