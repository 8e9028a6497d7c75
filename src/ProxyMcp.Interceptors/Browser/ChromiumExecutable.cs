namespace ProxyMcp.Interceptors.Browser;

/// <summary>
/// Finds the system Chromium. We never download a browser: it is the configured path, else the first of the usual names on
/// PATH, else the Debian location.
/// </summary>
public static class ChromiumExecutable
{
    public static readonly IReadOnlyList<string> CandidateNames =
        ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome", "chrome"];

    /// <summary>The browser to run, or null when none is found (or the configured path is not an executable file).</summary>
    public static string? Find(string? configured, string? path = null)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var full = Path.GetFullPath(configured);
            return IsExecutable(full) ? full : null;
        }
        path ??= Environment.GetEnvironmentVariable("PATH");
        foreach (var name in CandidateNames)
        {
            foreach (var directory in (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(directory, name);
                if (IsExecutable(candidate)) return candidate;
            }
        }
        return IsExecutable("/usr/bin/chromium") ? "/usr/bin/chromium" : null;
    }

    private static bool IsExecutable(string file)
    {
        try
        {
            if (!File.Exists(file)) return false;
            if (OperatingSystem.IsWindows()) return true;
            const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            return (File.GetUnixFileMode(file) & anyExecute) != 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
