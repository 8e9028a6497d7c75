using System.Globalization;
using System.Text;

namespace ProxyMcp.Interceptors.Browser;

/// <summary>
/// Finds the main process of a Chromium started with a given profile directory, from /proc (Linux): the process whose
/// command line holds --user-data-dir=&lt;dir&gt; and no --type= (renderers, GPU and network service processes carry one).
/// Its descendants include the network service, so the target's connections can be traced to it.
/// </summary>
public static class ChromiumProcess
{
    public static int? FindMainPid(string userDataDirectory, string procRoot = "/proc")
    {
        if (!OperatingSystem.IsLinux()) return null;
        var marker = "--user-data-dir=" + userDataDirectory;
        IEnumerable<string> directories;
        try
        {
            directories = Directory.EnumerateDirectories(procRoot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        foreach (var directory in directories)
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            var arguments = ReadCommandLine(Path.Combine(directory, "cmdline"));
            if (arguments is null || !arguments.Contains(marker, StringComparer.Ordinal)) continue;
            if (arguments.Any(a => a.StartsWith("--type=", StringComparison.Ordinal))) continue;
            return pid;
        }
        return null;
    }

    /// <summary>Whether the process still exists and is not a zombie.</summary>
    public static bool IsAlive(int pid, string procRoot = "/proc")
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "stat"));
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] != 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    internal static string[]? ReadCommandLine(string file)
    {
        try
        {
            var text = Encoding.UTF8.GetString(File.ReadAllBytes(file));
            return text.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
