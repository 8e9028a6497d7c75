using System.Net;

namespace ProxyMcp.Proxy;

/// <summary>The engine's current upstream proxies, looked up per request (the engine is created lazily).</summary>
internal sealed class EngineUpstreams(ProxyRuntime runtime) : IWebProxy, ICredentials
{
    public ICredentials? Credentials
    {
        get => this;
        set { }
    }

    public Uri? GetProxy(Uri destination) => runtime.Engine.UpstreamProxies.GetProxy(destination);

    public bool IsBypassed(Uri host) => runtime.Engine.UpstreamProxies.IsBypassed(host);

    public NetworkCredential? GetCredential(Uri uri, string authType) =>
        runtime.Engine.UpstreamProxies.Credentials?.GetCredential(uri, authType);
}
