using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ProxyMcp.Tests.Support;

namespace ProxyMcp.Tests.Tools;

public sealed class LifecycleToolTests : IAsyncLifetime
{
    private InMemoryServer _server = null!;

    public async Task InitializeAsync() => _server = await InMemoryServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Status_before_anything_has_the_spec_shape_and_idle_values()
    {
        var status = (await _server.CallAsync("proxy_status")).AssertSuccess();

        Assert.Equal(
            ["status", "running", "port", "url", "certFingerprint", "globalUpstream", "hostUpstreams", "ruleCount", "trafficCount",
             "transparentProxy", "persistence", "listenAddress", "maxExchanges", "upstreamInsecure", "caCertPath", "totalCaptured"],
            status.Json.EnumerateObject().Select(p => p.Name));
        Assert.False(status["running"].GetBoolean());
        Assert.Equal(JsonValueKind.Null, status["port"].ValueKind);
        Assert.Equal(JsonValueKind.Null, status["url"].ValueKind);
        Assert.Equal(JsonValueKind.Null, status["certFingerprint"].ValueKind);
        Assert.Equal(JsonValueKind.Null, status["globalUpstream"].ValueKind);
        Assert.Empty(status["hostUpstreams"].EnumerateObject());
        Assert.Equal(0, status["ruleCount"].GetInt32());
        Assert.Equal(0, status["trafficCount"].GetInt32());
        Assert.Equal("""{"running":false,"port":null,"trafficCount":0}""", status["transparentProxy"].GetRawText());
        var persistence = status["persistence"];
        Assert.False(persistence.GetProperty("enabled").GetBoolean());
        Assert.Equal(Path.Combine(_server.DataDirectory, "sessions"), persistence.GetProperty("storageDir").GetString());
        Assert.Equal(
            ["enabled", "sessionId", "captureProfile", "storageDir", "bytesWritten", "droppedWrites", "lastFlushAt", "maxDiskMb",
             "recoveryState", "lastError", "exchangeCount", "queuedWrites", "indexBacklog", "recording"],
            persistence.EnumerateObject().Select(p => p.Name));
        Assert.Equal("127.0.0.1", status["listenAddress"].GetString());
        Assert.Equal(10_000, status["maxExchanges"].GetInt32());
        Assert.False(status["upstreamInsecure"].GetBoolean());
        Assert.StartsWith(_server.DataDirectory, status["caCertPath"].GetString());
        Assert.False(File.Exists(status["caCertPath"].GetString()), "status must not create the CA");
    }

    [Fact]
    public async Task Ca_cert_works_before_the_first_start_and_is_kept_on_disk()
    {
        var both = (await _server.CallAsync("proxy_get_ca_cert")).AssertSuccess();
        var pem = both["certPem"].GetString()!;
        var fingerprint = both["fingerprint"].GetString()!;
        var path = both["certPath"].GetString()!;

        Assert.StartsWith("-----BEGIN CERTIFICATE-----", pem);
        Assert.Equal(44, fingerprint.Length); // base64 of a SHA-256
        Assert.StartsWith(_server.DataDirectory, path);
        Assert.Equal(pem.Trim(), File.ReadAllText(path).Trim());
        Assert.Contains("trusted", both["instructions"].GetString());

        var pemOnly = (await _server.CallAsync("proxy_get_ca_cert", new { format = "pem" })).AssertSuccess();
        Assert.Equal(["status", "certPem", "certPath", "instructions"], pemOnly.Json.EnumerateObject().Select(p => p.Name));
        var fingerprintOnly = (await _server.CallAsync("proxy_get_ca_cert", new { format = "fingerprint" })).AssertSuccess();
        Assert.Equal(["status", "fingerprint", "certPath", "instructions"], fingerprintOnly.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(fingerprint, fingerprintOnly["fingerprint"].GetString());

        var status = (await _server.CallAsync("proxy_status")).AssertSuccess();
        Assert.Equal(fingerprint, status["certFingerprint"].GetString());
    }

    [Fact]
    public async Task Start_status_stop_cycle_follows_the_spec()
    {
        var start = (await _server.CallAsync("proxy_start")).AssertSuccess();
        var port = start["port"].GetInt32();
        Assert.InRange(port, 1, 65535);
        Assert.Equal($"http://127.0.0.1:{port}", start["url"].GetString());
        Assert.Equal(44, start["certFingerprint"].GetString()!.Length);
        Assert.False(start["persistence"].GetProperty("enabled").GetBoolean());
        var setup = start["setup"];
        Assert.Equal("127.0.0.1", setup.GetProperty("proxyHost").GetString());
        Assert.Equal(port, setup.GetProperty("proxyPort").GetInt32());
        Assert.Equal(3, setup.GetProperty("instructions").GetArrayLength());
        Assert.Contains($"127.0.0.1:{port}", setup.GetProperty("instructions")[0].GetString());

        var again = await _server.CallAsync("proxy_start");
        Assert.Equal("Proxy is already running. Stop it first.", again.AssertError());

        var running = (await _server.CallAsync("proxy_status")).AssertSuccess();
        Assert.True(running["running"].GetBoolean());
        Assert.Equal(port, running["port"].GetInt32());
        Assert.Equal($"http://127.0.0.1:{port}", running["url"].GetString());
        Assert.Equal(start["certFingerprint"].GetString(), running["certFingerprint"].GetString());

        var stop = (await _server.CallAsync("proxy_stop")).AssertSuccess();
        Assert.Equal("Proxy stopped. Traffic and cert retained.", stop["message"].GetString());

        var stopped = (await _server.CallAsync("proxy_status")).AssertSuccess();
        Assert.False(stopped["running"].GetBoolean());
        Assert.Equal(port, stopped["port"].GetInt32()); // last port kept after stop
        Assert.Equal(JsonValueKind.Null, stopped["url"].ValueKind);
        Assert.Equal("Proxy is not running.", (await _server.CallAsync("proxy_stop")).AssertError());
    }

    [Fact]
    public async Task Start_takes_listen_address_and_insecure_upstream()
    {
        var start = (await _server.CallAsync("proxy_start", new { listen_address = "127.0.0.1", insecure_upstream = true })).AssertSuccess();
        Assert.Equal("127.0.0.1", start["listenAddress"].GetString());

        var status = (await _server.CallAsync("proxy_status")).AssertSuccess();
        Assert.True(status["upstreamInsecure"].GetBoolean());
        (await _server.CallAsync("proxy_stop")).AssertSuccess();
    }

    [Fact]
    public async Task Start_on_a_busy_port_reports_the_bind_error_and_stays_stopped()
    {
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        var busyPort = ((IPEndPoint)occupier.LocalEndpoint).Port;

        var result = await _server.CallAsync("proxy_start", new { port = busyPort });

        Assert.NotEmpty(result.AssertError());
        Assert.False((await _server.CallAsync("proxy_status")).AssertSuccess()["running"].GetBoolean());
        // The failure leaves the runtime usable.
        (await _server.CallAsync("proxy_start")).AssertSuccess();
        (await _server.CallAsync("proxy_stop")).AssertSuccess();
    }
}
