using ProxyMcp.TestSupport;

namespace ProxyMcp.Engine.Tests.Proxy;

/// <summary>Base for tests that need the test origin and a proxy that trusts the origin's CA.</summary>
public abstract class OriginBehindProxy : IAsyncLifetime
{
    protected OriginServer Origin { get; private set; } = null!;

    protected RunningProxy Proxy { get; private set; } = null!;

    protected Engine.Rules.RuleStore Rules => Proxy.Engine.Rules;

    /// <summary>The origin's base URL for "http" or "https".</summary>
    protected string BaseUrl(string scheme) => scheme == "https" ? Origin.HttpsUrl : Origin.HttpUrl;

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
