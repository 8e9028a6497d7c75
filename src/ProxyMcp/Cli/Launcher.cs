using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ProxyMcp.Proxy;

namespace ProxyMcp.Cli;

/// <summary>Validates the launch options and runs the chosen mode: stdio MCP, HTTP MCP or the bare proxy.</summary>
public static class Launcher
{
    public static async Task<int> RunAsync(LaunchOptions options, CancellationToken cancellationToken)
    {
        if (!TryCreateSettings(options, out var settings, out var error))
        {
            await Console.Error.WriteLineAsync("proxy-mcp: " + error);
            return 1;
        }

        if (options.ProxyOnly) return await ProxyOnlyRunner.RunAsync(settings, options.ProxyPort!.Value, cancellationToken);
        if (options.Transport == "http")
        {
            return await HttpTransportServer.RunAsync(settings, HttpEndpointOptions.From(options), options.ProxyPort, cancellationToken);
        }
        return await StdioTransportServer.RunAsync(settings, options.ProxyPort, cancellationToken);
    }

    /// <summary>--proxy-port: starts the proxy before serving; false (after telling stderr why) when it cannot bind.</summary>
    public static async Task<bool> StartProxyAtLaunchAsync(ProxyRuntime runtime, int port, CancellationToken cancellationToken)
    {
        try
        {
            await runtime.StartAsync(new ProxyStart { Port = port }, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"proxy-mcp: cannot start the proxy on port {port}: {e.Message}");
            return false;
        }
    }

    /// <summary>Checks every option, so a typo fails at launch with a message rather than later in a tool call.</summary>
    public static bool TryCreateSettings(LaunchOptions options, out RuntimeSettings settings, out string error)
    {
        settings = null!;
        error = Check(options) ?? "";
        if (error.Length > 0) return false;

        X509Certificate2Collection roots = [];
        if (options.UpstreamCaFile is { } caFile)
        {
            try
            {
                roots.ImportFromPemFile(caFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                error = $"--upstream-ca: cannot read certificates from '{caFile}': {e.Message}";
                return false;
            }
            if (roots.Count == 0)
            {
                error = $"--upstream-ca: '{caFile}' holds no PEM certificate";
                return false;
            }
        }

        settings = new RuntimeSettings
        {
            DataDirectory = Path.GetFullPath(options.DataDirectory),
            ListenAddress = IPAddress.Parse(options.ListenAddress.Trim('[', ']')),
            UpstreamInsecure = options.UpstreamInsecure,
            ExtraTrustedRoots = roots,
            MaxExchanges = options.MaxExchanges,
            BrowserPath = options.BrowserPath is { } browser ? Path.GetFullPath(browser) : null,
        };
        return true;
    }

    private static string? Check(LaunchOptions options)
    {
        if (options.Transport is not ("stdio" or "http"))
        {
            return $"unknown transport '{options.Transport}': use --transport stdio or --transport http";
        }
        if (options.HttpPort is < 0 or > 65535) return $"--port must be between 0 and 65535 (got {options.HttpPort})";
        if (!HttpEndpointOptions.IsValidHost(options.HttpHost))
        {
            return $"--host must be an IP address or localhost (got '{options.HttpHost}')";
        }
        if (options.AuthToken is { } token && (token.Length < 8 || token.Any(char.IsWhiteSpace)))
        {
            return "--auth-token must be at least 8 characters without spaces";
        }
        if (string.IsNullOrWhiteSpace(options.DataDirectory)) return "--data-dir must not be empty";
        if (!IPAddress.TryParse(options.ListenAddress.Trim('[', ']'), out _))
        {
            return $"--listen-address must be an IP address such as 127.0.0.1 or 0.0.0.0 (got '{options.ListenAddress}')";
        }
        if (options.MaxExchanges < 1) return $"--max-exchanges must be at least 1 (got {options.MaxExchanges})";
        if (options.ProxyPort is < 0 or > 65535) return $"--proxy-port must be between 0 and 65535 (got {options.ProxyPort})";
        if (options.BrowserPath is { } browser && !File.Exists(browser)) return $"--browser-path: '{browser}' does not exist";
        if (options.ProxyOnly && options.ProxyPort is null) return "--proxy-only needs --proxy-port (0 picks a free port)";
        return null;
    }
}
