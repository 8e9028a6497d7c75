using System.Net;

namespace ProxyMcp.Proxy;

/// <summary>What one proxy_start asks for; null fields fall back to the launch settings.</summary>
public sealed record ProxyStart
{
    /// <summary>0 lets the OS choose a free port.</summary>
    public int Port { get; init; }

    public IPAddress? ListenAddress { get; init; }

    public bool? UpstreamInsecure { get; init; }
}
