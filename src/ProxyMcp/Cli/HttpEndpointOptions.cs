using System.Net;

namespace ProxyMcp.Cli;

/// <summary>Where and how the HTTP MCP transport listens.</summary>
public sealed record HttpEndpointOptions(string Host, int Port, string? AuthToken)
{
    public static HttpEndpointOptions From(LaunchOptions options) => new(options.HttpHost, options.HttpPort, options.AuthToken);

    /// <summary>The address to bind: an IP literal, or loopback for "localhost".</summary>
    public IPAddress BindAddress => ParseHost(Host) ?? IPAddress.Loopback;

    public static bool IsValidHost(string? host) =>
        !string.IsNullOrWhiteSpace(host) && (ParseHost(host) is not null || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase));

    private static IPAddress? ParseHost(string host) => IPAddress.TryParse(host.Trim('[', ']'), out var address) ? address : null;
}
