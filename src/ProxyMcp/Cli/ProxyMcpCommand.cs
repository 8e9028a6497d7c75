using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using ProxyMcp.Proxy;

namespace ProxyMcp.Cli;

/// <summary>
/// The proxy-mcp command line. Every flag can also come from an environment variable (the flag wins);
/// TRANSPORT and PORT keep proxy-mcp's names, the rest are prefixed PROXY_MCP_ so a stray HOST or PORT-like
/// variable of the shell cannot silently re-point the server.
/// </summary>
public static class ProxyMcpCommand
{
    public static RootCommand Create(Func<LaunchOptions, CancellationToken, Task<int>> run)
    {
        var transport = Text("--transport", "TRANSPORT", "MCP transport: stdio or http.", "stdio");
        var port = Integer("--port", "PORT", "Port of the HTTP MCP transport (served at /mcp).", 3001);
        var host = Text("--host", "PROXY_MCP_HOST", "Address the HTTP MCP transport binds to.", "127.0.0.1");
        var authToken = Text("--auth-token", "PROXY_MCP_AUTH_TOKEN",
            "Require 'Authorization: Bearer <token>' on the HTTP MCP transport.", null);
        var dataDir = Text("--data-dir", "PROXY_MCP_DATA_DIR",
            "Directory for the CA and other persistent data.", RuntimeSettings.DefaultDataDirectory);
        var listenAddress = Text("--listen-address", "PROXY_MCP_LISTEN_ADDRESS",
            "IP address the proxy listener binds to (0.0.0.0 to accept other devices).", "127.0.0.1");
        var upstreamInsecure = Flag("--upstream-insecure", "PROXY_MCP_UPSTREAM_INSECURE",
            "Do not verify origin server certificates.");
        var upstreamCa = Text("--upstream-ca", "PROXY_MCP_UPSTREAM_CA",
            "PEM file with extra root certificates trusted when verifying origin servers.", null);
        var maxExchanges = Integer("--max-exchanges", "PROXY_MCP_MAX_EXCHANGES",
            "Exchanges kept in memory (oldest evicted first); at least 1.", 10_000);
        var proxyPort = OptionalInteger("--proxy-port", "PROXY_MCP_PROXY_PORT",
            "Start the proxy on this port at launch (0 = any free port).");
        var proxyOnly = Flag("--proxy-only", "PROXY_MCP_PROXY_ONLY",
            "Run only the proxy, without MCP (needs --proxy-port); stops on SIGINT or SIGTERM.");

        var browserPath = Text("--browser-path", "PROXY_MCP_BROWSER_PATH",
            "Chromium executable for the browser interceptor (default: chromium, chromium-browser or google-chrome on PATH).", null);

        var root = new RootCommand("proxy-mcp: an MCP server running an HTTP/HTTPS man-in-the-middle proxy for AI agents.")
        {
            transport, port, host, authToken, dataDir, listenAddress, upstreamInsecure, upstreamCa, maxExchanges, proxyPort, proxyOnly, browserPath,
        };
        root.SetAction((parse, cancellationToken) => run(new LaunchOptions
        {
            Transport = parse.GetValue(transport)!,
            HttpPort = parse.GetValue(port),
            HttpHost = parse.GetValue(host)!,
            AuthToken = parse.GetValue(authToken),
            DataDirectory = parse.GetValue(dataDir)!,
            ListenAddress = parse.GetValue(listenAddress)!,
            UpstreamInsecure = parse.GetValue(upstreamInsecure),
            UpstreamCaFile = parse.GetValue(upstreamCa),
            MaxExchanges = parse.GetValue(maxExchanges),
            ProxyPort = parse.GetValue(proxyPort),
            ProxyOnly = parse.GetValue(proxyOnly),
            BrowserPath = parse.GetValue(browserPath),
        }, cancellationToken));
        return root;
    }

    private static Option<string?> Text(string name, string variable, string description, string? fallback) => new(name)
    {
        Description = $"{description} [env: {variable}]",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : fallback,
    };

    private static Option<int> Integer(string name, string variable, string description, int fallback) => new(name)
    {
        Description = $"{description} [env: {variable}]",
        DefaultValueFactory = result => ParseInteger(result, variable) ?? fallback,
    };

    private static Option<int?> OptionalInteger(string name, string variable, string description) => new(name)
    {
        Description = $"{description} [env: {variable}]",
        DefaultValueFactory = result => ParseInteger(result, variable),
    };

    private static Option<bool> Flag(string name, string variable, string description) => new(name)
    {
        Description = $"{description} [env: {variable}=1]",
        DefaultValueFactory = result =>
        {
            var value = Environment.GetEnvironmentVariable(variable)?.Trim().ToLowerInvariant();
            switch (value)
            {
                case null or "" or "0" or "false" or "no" or "off": return false;
                case "1" or "true" or "yes" or "on": return true;
                default:
                    result.AddError($"{variable} must be 1/true/yes or 0/false/no (got '{value}')");
                    return false;
            }
        },
    };

    private static int? ParseInteger(ArgumentResult result, string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)) return number;
        result.AddError($"{variable} must be a whole number (got '{value}')");
        return null;
    }
}
