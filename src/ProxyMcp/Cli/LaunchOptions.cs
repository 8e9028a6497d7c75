namespace ProxyMcp.Cli;

/// <summary>The command line as parsed (flags, else environment, else defaults), before validation.</summary>
public sealed record LaunchOptions
{
    public string Transport { get; init; } = "stdio";
    public int HttpPort { get; init; } = 3001;
    public string HttpHost { get; init; } = "127.0.0.1";
    public string? AuthToken { get; init; }
    public required string DataDirectory { get; init; }
    public string ListenAddress { get; init; } = "127.0.0.1";
    public bool UpstreamInsecure { get; init; }
    public string? UpstreamCaFile { get; init; }
    public int MaxExchanges { get; init; } = 10_000;
    public int? ProxyPort { get; init; }
    public bool ProxyOnly { get; init; }
    public string? BrowserPath { get; init; }
}
