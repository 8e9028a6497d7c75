using System.Text.Json;
using ModelContextProtocol.Protocol;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Tests.Support;

namespace ProxyMcp.Tests.Resources;

public sealed class ResourceTests : IAsyncLifetime
{
    private InMemoryServer _server = null!;

    public async Task InitializeAsync() => _server = await InMemoryServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<TextResourceContents> ReadAsync(string uri)
    {
        var result = await _server.Client.ReadResourceAsync(uri, cancellationToken: TestTimeout.Token());
        var contents = Assert.IsType<TextResourceContents>(Assert.Single(result.Contents));
        Assert.Equal(uri, contents.Uri);
        return contents;
    }

    [Fact]
    public async Task Lists_the_fixed_resources_with_their_spec_names()
    {
        var resources = await _server.Client.ListResourcesAsync(cancellationToken: TestTimeout.Token());

        Assert.Equal(
            [("proxy://browser/primary", "proxy_browser_primary"),
             ("proxy://browser/targets", "proxy_browser_targets"),
             ("proxy://ca-cert", "proxy_ca_cert"),
             ("proxy://interceptors", "proxy_interceptors"),
             ("proxy://sessions", "proxy_sessions"),
             ("proxy://status", "proxy_status"),
             ("proxy://traffic/summary", "proxy_traffic_summary")],
            resources.Select(r => (r.Uri, r.Name)).Order());
    }

    [Fact]
    public async Task Status_is_the_tool_object_without_status_indented()
    {
        var contents = await ReadAsync("proxy://status");

        Assert.Contains("\n  \"running\": false", contents.Text);
        using var document = JsonDocument.Parse(contents.Text);
        Assert.Equal("running", document.RootElement.EnumerateObject().First().Name);
        Assert.False(document.RootElement.TryGetProperty("status", out _));
    }

    [Fact]
    public async Task Ca_cert_is_pem_with_its_mime_type()
    {
        var contents = await ReadAsync("proxy://ca-cert");

        Assert.Equal("application/x-pem-file", contents.MimeType);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", contents.Text);
    }

    [Fact]
    public async Task Traffic_summary_counts_the_live_capture()
    {
        var tls = new ExchangeTls { Client = new ClientTls { Ja3Fingerprint = "ja3-a", Ja4Fingerprint = "ja4-a" } };
        _server.Runtime.Capture.Add(SampleExchanges.Create(url: "https://a.example/", tls: tls));
        _server.Runtime.Capture.Add(SampleExchanges.Create(url: "https://b.example/", method: "POST", status: 500));
        _server.Runtime.Capture.Add(SampleExchanges.Create(url: "https://a.example/x", status: null));

        var contents = await ReadAsync("proxy://traffic/summary");

        using var document = JsonDocument.Parse(contents.Text);
        var summary = document.RootElement;
        Assert.Equal(3, summary.GetProperty("totalExchanges").GetInt32());
        Assert.Equal("""{"GET":2,"POST":1}""", JsonSerializer.Serialize(summary.GetProperty("methods")));
        Assert.Equal("""{"200":1,"500":1}""", JsonSerializer.Serialize(summary.GetProperty("statuses")));
        Assert.Equal("""[{"host":"a.example","count":2},{"host":"b.example","count":1}]""",
            JsonSerializer.Serialize(summary.GetProperty("topHostnames")));
        Assert.Equal(12, summary.GetProperty("avgDurationMs").GetDouble());
        var tlsSummary = summary.GetProperty("tls");
        Assert.Equal(1, tlsSummary.GetProperty("exchangesWithTls").GetInt32());
        Assert.Equal("""[{"fingerprint":"ja3-a","count":1}]""", JsonSerializer.Serialize(tlsSummary.GetProperty("topJa3")));
    }
}
