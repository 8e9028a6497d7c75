using ProxyMcp.Capture.Sessions;

namespace ProxyMcp.Capture.Har;

/// <summary>The arguments of proxy_export_har.</summary>
public sealed record HarExportOptions
{
    /// <summary>Target file (absolute, or relative to the working directory); parent folders are created.</summary>
    public required string OutputFile { get; init; }
    /// <summary>Export stored complete bodies (previews are exported either way when nothing more was kept).</summary>
    public bool IncludeBodies { get; init; } = true;
    /// <summary>Filters and order (export defaults to oldest first).</summary>
    public SessionQuery Query { get; init; } = new() { Descending = false };
    public string CreatorName { get; init; } = "proxy-mcp";
    public string CreatorVersion { get; init; } = typeof(HarExport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
