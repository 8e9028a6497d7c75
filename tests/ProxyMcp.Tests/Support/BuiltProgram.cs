using System.Diagnostics;

namespace ProxyMcp.Tests.Support;

/// <summary>The built proxy-mcp.dll next to the tests (the project reference copies it), run with 'dotnet'.</summary>
public static class BuiltProgram
{
    public static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "proxy-mcp.dll");

    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments, IDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        // Keep the user's variables from steering the program under test.
        foreach (var name in new[] { "TRANSPORT", "PORT", "PROXY_MCP_DATA_DIR", "PROXY_MCP_AUTH_TOKEN", "PROXY_MCP_PROXY_PORT" })
        {
            info.Environment.Remove(name);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>()) info.Environment[name] = value;
        return info;
    }

    /// <summary>Runs to completion and returns exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        IEnumerable<string> arguments, IDictionary<string, string?>? environment = null)
    {
        using var process = Process.Start(StartInfo(arguments, environment))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestTimeout.Token());
        return (process.ExitCode, await stdout, await stderr);
    }
}
