using System.Diagnostics;

namespace ProxyMcp.TestSupport;

/// <summary>Runs the system <c>curl</c> with an argument list (no shell) and a timeout: a real third-party client for the proxy.</summary>
public static class CurlRunner
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    // Proxy variables from the test machine must not silently route curl elsewhere; tests pass --proxy explicitly.
    private static readonly string[] ProxyVariables =
        ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"];

    private static readonly Lazy<string?> Executable = new(FindOnPath);

    /// <summary>True when a <c>curl</c> executable is on PATH; tests that need it return early otherwise.</summary>
    public static bool IsAvailable => Executable.Value is not null;

    /// <summary>
    /// Runs curl with <paramref name="arguments"/> (<c>-q</c> is put first so no ~/.curlrc applies). Throws
    /// <see cref="TimeoutException"/> (after killing curl) when it outlives <paramref name="timeout"/> (default 30 s).
    /// </summary>
    public static async Task<CurlResult> RunAsync(IReadOnlyList<string> arguments, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var executable = Executable.Value ?? throw new InvalidOperationException("curl is not on PATH.");
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-q");
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var variable in ProxyVariables)
            start.Environment.Remove(variable);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("curl did not start.");
        process.StandardInput.Close(); // curl must never wait on our stdin

        using var stdout = new MemoryStream();
        var stdoutCopy = process.StandardOutput.BaseStream.CopyToAsync(stdout, CancellationToken.None);
        var stderrRead = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            var stderrSoFar = await stderrRead.ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"curl {string.Join(' ', arguments)} did not finish within {timeout ?? DefaultTimeout}. stderr: {stderrSoFar.Trim()}");
        }

        await stdoutCopy.ConfigureAwait(false);
        var stderr = await stderrRead.ConfigureAwait(false);
        return new CurlResult(process.ExitCode, stdout.ToArray(), stderr);
    }

    private static string? FindOnPath()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        var name = OperatingSystem.IsWindows() ? "curl.exe" : "curl";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
    }
}
