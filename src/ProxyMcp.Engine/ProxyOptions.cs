using System.Net;

namespace ProxyMcp.Engine;

/// <summary>How the explicit listener is started.</summary>
public sealed record ProxyOptions
{
    /// <summary>Address to bind; loopback unless the user asks otherwise.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>0 lets the OS choose a free port.</summary>
    public int Port { get; init; }

    /// <summary>Skip verification of origin certificates (off by default).</summary>
    public bool UpstreamInsecure { get; init; }

    /// <summary>Extra roots trusted when verifying origin certificates (besides the system store).</summary>
    public IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> ExtraTrustedRoots { get; init; } = [];

    /// <summary>Hosts whose CONNECT tunnels are relayed as raw bytes, never intercepted (exact or "*.suffix").</summary>
    public IReadOnlyList<string> PassthroughHosts { get; init; } = [];

    /// <summary>Raw body bytes kept per direction for previews; the rest only counted.</summary>
    public int CaptureTapBytes { get; init; } = 64 * 1024;

    /// <summary>Time allowed to connect to the origin and receive its response headers.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
