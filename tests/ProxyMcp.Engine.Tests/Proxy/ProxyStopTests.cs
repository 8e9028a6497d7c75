using ProxyMcp.Engine.Exchanges;
using ProxyMcp.TestSupport;

namespace ProxyMcp.Engine.Tests.Proxy;

/// <summary>What stopping the proxy does to an exchange still in flight.</summary>
public sealed class ProxyStopTests
{
    [Fact]
    public async Task A_download_cut_by_stopping_the_proxy_is_recorded_as_proxy_stopped_not_as_the_client_leaving()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await RunningProxy.StartAsync();
        using var client = proxy.CreateClient();
        using var response = await client.GetAsync($"{origin.HttpUrl}/slow-body?chunks=1000&interval_ms=50", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        Assert.True(await body.ReadAsync(new byte[64]) > 0, "the body is flowing");

        await proxy.Engine.StopAsync();

        var exchange = await proxy.WaitForExchangeAsync(e => e.Request.Path.StartsWith("/slow-body", StringComparison.Ordinal));
        Assert.Equal(ExchangeErrorKind.ProxyStopped, exchange.Error?.Kind);
        Assert.Equal("proxy_stopped", exchange.Error?.Code);
        Assert.Equal(200, exchange.Response?.StatusCode);
    }
}
