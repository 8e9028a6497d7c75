using System.Diagnostics;

namespace ProxyMcp.Capture.Tests.Har;

/// <summary>
/// Runs the npm packages har-validator (the HAR 1.2 JSON schema) and har-to-k6 (converts HAR to a k6 script) on a
/// file. They are installed once with npm into ~/.cache/proxymcp-har-tools and reused.
/// </summary>
internal static class NodeHarTools
{
    private const string Script = """
        const fs = require('fs');
        const file = process.argv[2];
        let text = fs.readFileSync(file, 'utf8');
        if (text.charCodeAt(0) === 0xFEFF) text = text.slice(1);
        const har = JSON.parse(text);
        (async () => {
          try {
            await require('har-validator').har(har);
          } catch (e) {
            console.log('har-validator: ' + (e.errors ? JSON.stringify(e.errors) : e.message));
            process.exit(2);
          }
          try {
            const k6 = require('har-to-k6');
            k6.validate(har);
            const { main } = await k6.liHARToK6Script(har);
            if (!main || !main.includes('http.')) throw new Error('no requests in the k6 script');
            console.log('OK ' + main.length);
          } catch (e) {
            console.log('har-to-k6: ' + e.message);
            process.exit(3);
          }
        })();
        """;

    private static readonly Lazy<string?> Node = new(() => Which("node"));
    private static readonly Lazy<string?> Npm = new(() => Which("npm"));

    public static bool Available => Node.Value is not null && Npm.Value is not null;

    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static async Task<(bool Ok, string Output)> CheckAsync(string harFile)
    {
        var directory = await InstallAsync();
        var script = Path.Combine(directory, "check-har.js");
        await File.WriteAllTextAsync(script, Script);
        var (code, output) = await RunAsync(Node.Value!, [script, harFile], directory, TimeSpan.FromMinutes(2));
        return (code == 0 && output.StartsWith("OK", StringComparison.Ordinal), output);
    }

    private static async Task<string> InstallAsync()
    {
        var directory = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "proxymcp-har-tools");
        await InstallLock.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(directory, "node_modules", "har-validator")) && Directory.Exists(Path.Combine(directory, "node_modules", "har-to-k6")))
                return directory;
            Directory.CreateDirectory(directory);
            if (!File.Exists(Path.Combine(directory, "package.json"))) await File.WriteAllTextAsync(Path.Combine(directory, "package.json"), "{\"private\":true}");
            var (code, output) = await RunAsync(Npm.Value!, ["install", "--no-audit", "--no-fund", "--silent", "har-validator@5", "har-to-k6@0.14"], directory,
                TimeSpan.FromMinutes(5));
            if (code != 0) throw new InvalidOperationException($"npm install har-validator har-to-k6 failed ({code}): {output}");
            return directory;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] arguments, string directory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }

    private static string? Which(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}

/// <summary>A fact that is skipped (not passed) when node or npm is missing.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (!NodeHarTools.Available) Skip = "node and npm are needed to run har-validator and har-to-k6";
    }
}
