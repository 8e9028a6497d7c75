using ProxyMcp.Tests.Support;

namespace ProxyMcp.Tests.Sessions;

/// <summary>proxy_replay_session against real origins: replays leave the way live traffic does.</summary>
public sealed class ReplayToolTests
{
    /// <summary>Starts the proxy recording a full session, sends one GET to <paramref name="url"/> through it, returns the session id.</summary>
    private static async Task<string> RecordOneAsync(InMemoryServer server, Uri url, object? start = null)
    {
        var started = (await server.CallAsync("proxy_start", start ?? new { persistence_enabled = true, capture_profile = "full" })).AssertSuccess();
        using var client = await ProxiedClient.TrustingAsync(server, started["port"].GetInt32());
        (await client.GetAsync(url)).EnsureSuccessStatusCode();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await server.CallAsync("proxy_session_status")).AssertSuccess()["exchangeCount"].GetInt64() < 1 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        return started["persistence"].GetProperty("sessionId").GetString()!;
    }

    [Fact]
    public async Task Replay_trusts_the_upstream_ca_roots_of_the_launch()
    {
        await using var origin = await TinyOrigin.StartAsync(https: true);
        // What --upstream-ca sets: live forwarding trusts the origin, and so must replay.
        await using var server = await InMemoryServer.StartAsync(settings => settings with { ExtraTrustedRoots = [origin.Certificate!] });
        var sessionId = await RecordOneAsync(server, new Uri(origin.BaseUrl, "/echo"));

        var replay = (await server.CallAsync("proxy_replay_session", new { session_id = sessionId, mode = "execute" })).AssertSuccess();

        var item = replay["items"][0];
        Assert.True(1 == replay["successCount"].GetInt32(), item.ToString());
        Assert.Equal(200, item.GetProperty("responseStatus").GetInt32());
    }

    [Fact]
    public async Task Replay_follows_insecure_upstream_of_the_last_proxy_start()
    {
        await using var origin = await TinyOrigin.StartAsync(https: true);
        await using var server = await InMemoryServer.StartAsync();
        var sessionId = await RecordOneAsync(server, new Uri(origin.BaseUrl, "/echo"),
            new { persistence_enabled = true, capture_profile = "full", insecure_upstream = true });

        var insecure = (await server.CallAsync("proxy_replay_session", new { session_id = sessionId, mode = "execute" })).AssertSuccess();
        Assert.True(1 == insecure["successCount"].GetInt32(), insecure["items"][0].ToString());

        (await server.CallAsync("proxy_stop")).AssertSuccess();
        (await server.CallAsync("proxy_start", new { insecure_upstream = false })).AssertSuccess();
        var strict = (await server.CallAsync("proxy_replay_session", new { session_id = sessionId, mode = "execute" })).AssertSuccess();
        // The session now also holds the first replay: every exchange of it is refused.
        Assert.Equal(0, strict["successCount"].GetInt32());
        Assert.Equal(strict["selectedCount"].GetInt32(), strict["errorCount"].GetInt32());
        await server.CallAsync("proxy_stop");
    }
}
