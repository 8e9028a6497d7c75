using ProxyMcp.TestSupport;

namespace ProxyMcp.Engine.Tests.Proxy;

/// <summary>Base for tests that need the test origin and a proxy that trusts the origin's CA.</summary>
public abstract class OriginBehindProxy : IAsyncLifetime
{
    protected OriginServer Origin { get; private set; } = null!;

    protected RunningProxy Proxy { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Origin = await OriginServer.StartAsync();
        Proxy = await RunningProxy.StartAsync(new ProxyOptions { ExtraTrustedRoots = [Origin.Certificates.Root] });
    }

    public async Task DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Origin.DisposeAsync();
    }
}
