namespace ProxyMcp.Interceptors.Browser;

/// <summary>Process-wide settings of the browser interceptor.</summary>
public sealed record BrowserOptions
{
    /// <summary>The Chromium to run (--browser-path / PROXY_MCP_BROWSER_PATH); null looks it up on PATH.</summary>
    public string? ExecutablePath { get; init; }

    /// <summary>Where per-target profile directories are created (deleted when the target closes).</summary>
    public string ProfileRoot { get; init; } = Path.GetTempPath();

    /// <summary>How long a launch may take before it is reported as failed.</summary>
    public TimeSpan LaunchTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether a display is available for headed browsers; decided from DISPLAY / WAYLAND_DISPLAY by default.</summary>
    public Func<bool> HasDisplay { get; init; } = DisplayAvailable;

    private static bool DisplayAvailable()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsFreeBSD()) return true;
        return !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY"))
               || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY"));
    }
}
