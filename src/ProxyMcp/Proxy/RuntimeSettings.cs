using System.Net;
using System.Security.Cryptography.X509Certificates;
using ProxyMcp.Capture.Live;

namespace ProxyMcp.Proxy;

/// <summary>Process-wide settings of the proxy runtime, fixed at launch (tools may override some per start).</summary>
public sealed record RuntimeSettings
{
    /// <summary>Root of everything kept on disk (CA, later sessions).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Default bind address of the proxy listener.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>Default for skipping origin certificate verification.</summary>
    public bool UpstreamInsecure { get; init; }

    /// <summary>Extra roots trusted when verifying origin certificates (from --upstream-ca).</summary>
    public X509Certificate2Collection ExtraTrustedRoots { get; init; } = [];

    /// <summary>The Chromium the browser interceptor runs (--browser-path); null looks it up on PATH.</summary>
    public string? BrowserPath { get; init; }

    /// <summary>Bound of the live capture.</summary>
    public int MaxExchanges { get; init; } = LiveCapture.DefaultCapacity;

    /// <summary>Where the CA files live (ca.pem, ca.key.pem): the data directory itself, as the README documents.</summary>
    public string CertificateDirectory => DataDirectory;

    /// <summary>Root folder of persistent sessions (reported as persistence.storageDir).</summary>
    public string SessionDirectory => Path.Combine(DataDirectory, "sessions");

    /// <summary>The default data directory: ~/.local/share/proxy-mcp on Linux.</summary>
    public static string DefaultDataDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "proxy-mcp");
}
