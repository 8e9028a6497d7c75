using System.Diagnostics;
using System.Text;

namespace ProxyMcp.Engine.Tests.Tls;

/// <summary>Finds and runs command-line tools (curl, openssl, tshark) used as real peers and as oracles.</summary>
internal static class ExternalTool
{
    public static string? Find(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (directory.Length == 0)
            {
                continue;
            }

            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Starts a tool with all streams redirected; stdin stays open until the process is disposed.</summary>
    public static Process Start(string path, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {path}");
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string path, IEnumerable<string> arguments, TimeSpan timeout)
    {
        using var process = Start(path, arguments);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            await StopAsync(process);
            throw new TimeoutException($"{Path.GetFileName(path)} did not finish within {timeout}");
        }

        return (process.ExitCode, await output, await error);
    }

    /// <summary>Kills the process we started (and its children) if it still runs, then waits for it.</summary>
    public static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await process.WaitForExitAsync(cts.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            // Already gone, or not worth hanging the test run for.
        }
    }

    public static string Describe(string path, IEnumerable<string> arguments)
    {
        var text = new StringBuilder(Path.GetFileName(path));
        foreach (var argument in arguments)
        {
            text.Append(' ').Append(argument);
        }

        return text.ToString();
    }
}
