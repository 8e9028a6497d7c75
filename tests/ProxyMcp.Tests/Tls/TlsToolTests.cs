using System.Text.Json;
using ProxyMcp.Tests.Support;

namespace ProxyMcp.Tests.Tls;

/// <summary>The TLS fingerprint tools over real HTTPS traffic through the proxy.</summary>
public sealed class TlsToolTests
{
    [Fact]
    public async Task Fingerprints_of_real_clients_are_listed_aggregated_and_server_capture_toggles()
    {
        await using var origin = await TinyOrigin.StartAsync(https: true);
        await using var server = await InMemoryServer.StartAsync(settings => settings with { ExtraTrustedRoots = [origin.Certificate!] });
        var port = (await server.CallAsync("proxy_start")).AssertSuccess()["port"].GetInt32();
        Assert.False((await server.CallAsync("proxy_get_tls_config")).AssertSuccess()["serverTlsCaptureEnabled"].GetBoolean());
        (await server.CallAsync("proxy_enable_server_tls_capture", new { enabled = true })).AssertSuccess();

        using var client = await ProxiedClient.TrustingAsync(server, port);
        for (var i = 0; i < 3; i++) await client.GetStringAsync(new Uri(origin.BaseUrl, $"/tls/{i}"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (server.Runtime.Capture.Count < 3 && DateTime.UtcNow < deadline) await Task.Delay(20);

        var id = server.Runtime.Capture.Snapshot()[0].Id;
        var get = (await server.CallAsync("proxy_get_tls_fingerprints", new { exchange_id = id })).AssertSuccess();
        Assert.Equal(["status", "exchange_id", "hostname", "tls"], get.Json.EnumerateObject().Select(p => p.Name));
        var tlsClient = get["tls"].GetProperty("client");
        Assert.Equal("localhost", tlsClient.GetProperty("sniHostname").GetString());
        Assert.Matches("^[0-9a-f]{32}$", tlsClient.GetProperty("ja3Fingerprint").GetString());
        Assert.Matches("^t1[23]d\\d{4}[a-z0-9]{2}_[0-9a-f]{12}_[0-9a-f]{12}$", tlsClient.GetProperty("ja4Fingerprint").GetString());
        var tlsServer = get["tls"].GetProperty("server");
        Assert.Equal("TLSv1.3", tlsServer.GetProperty("protocol").GetString());
        Assert.Matches("^[0-9a-f]{32}$", tlsServer.GetProperty("ja3sFingerprint").GetString());

        var list = (await server.CallAsync("proxy_list_tls_fingerprints")).AssertSuccess();
        Assert.Equal(3, list["totalExchangesWithTls"].GetInt32());
        var ja4 = Assert.Single(list["ja4"].EnumerateArray());
        Assert.Equal(3, ja4.GetProperty("count").GetInt32());
        Assert.Equal(["localhost"], ja4.GetProperty("hostnames").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal(0, (await server.CallAsync("proxy_list_tls_fingerprints", new { hostname_filter = "nomatch" })).AssertSuccess()["totalExchangesWithTls"].GetInt32());

        var traffic = (await server.CallAsync("proxy_list_traffic")).AssertSuccess();
        Assert.Equal(tlsClient.GetProperty("ja4Fingerprint").GetString(), traffic["exchanges"][0].GetProperty("ja4").GetString());

        Assert.Equal("Exchange 'nope' not found", (await server.CallAsync("proxy_get_tls_fingerprints", new { exchange_id = "nope" })).AssertError());
        (await server.CallAsync("proxy_stop")).AssertSuccess();
        var config = (await server.CallAsync("proxy_get_tls_config")).AssertSuccess();
        Assert.False(config["serverTlsCaptureEnabled"].GetBoolean());
        Assert.Equal(JsonValueKind.Null, config["ja3SpoofConfig"].ValueKind);
    }
}
