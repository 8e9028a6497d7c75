using System.Diagnostics;
using System.Net;
using ProxyMcp.Interceptors.Process;
using ProxyMcp.Interceptors.Tests.Support;

namespace ProxyMcp.Interceptors.Tests.Process;

/// <summary>Spawning, output, exit and kill with real processes; the proxy address is a placeholder (nothing connects).</summary>
public sealed class ProcessInterceptorTests : IAsyncLifetime
{
    private const string CaPem = "-----BEGIN CERTIFICATE-----\nOURS\n-----END CERTIFICATE-----\n";
    private readonly TempDirectory _temp = new();
    private readonly ProcessInterceptor _interceptor;
    private readonly InterceptionContext _proxy = new(new IPEndPoint(IPAddress.Loopback, 18080), CaPem, "FP==");

    public ProcessInterceptorTests()
    {
        _interceptor = new ProcessInterceptor(new CaBundleFiles(Path.Combine(_temp.Path, "ca"))) { KillGrace = TimeSpan.FromMilliseconds(700) };
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _interceptor.DeactivateAllAsync();
        _temp.Dispose();
    }

    private Task<ActiveTarget> SpawnAsync(string command, params string[] args) =>
        _interceptor.SpawnAsync(new SpawnRequest(command, args), _proxy);

    private async Task<ActiveTarget> WaitUntilExitedAsync(string targetId)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            var target = _interceptor.ActiveTargets.Single(t => t.Id == targetId);
            if ((bool)target.Details["exited"]!) return target;
            await Task.Delay(25);
        }
        throw new TimeoutException(targetId + " did not exit");
    }

    [Fact]
    public async Task Records_output_and_exit_code_and_killing_after_exit_is_not_an_error()
    {
        var target = await SpawnAsync("sh", "-c", "echo out; echo err >&2; exit 3");
        var exited = await WaitUntilExitedAsync(target.Id);

        Assert.Equal(3, (int)exited.Details["exitCode"]!);
        Assert.NotNull(exited.Details["exitedAt"]);
        var outcome = await _interceptor.KillAsync(target.Id);

        Assert.False(outcome.WasRunning);
        Assert.Equal(3, outcome.Exit!.ExitCode);
        Assert.Equal("out\n", outcome.Stdout);
        Assert.Equal("err\n", outcome.Stderr);
        Assert.Empty(_interceptor.ActiveTargets);
    }

    [Fact]
    public async Task Kill_sends_sigterm_and_reports_the_exit_code()
    {
        var target = await SpawnAsync("sleep", "30");

        var outcome = await _interceptor.KillAsync(target.Id);

        Assert.True(outcome.WasRunning);
        // 143 = 128 + SIGTERM: sleep ended on the polite signal, SIGKILL (137) was not needed.
        Assert.Equal(128 + 15, outcome.Exit!.ExitCode);
        Assert.Empty(_interceptor.ActiveTargets);
    }

    [Fact]
    public async Task A_process_ignoring_sigterm_is_killed_after_the_grace_period()
    {
        var target = await SpawnAsync("sh", "-c", "trap '' TERM; echo ready; sleep 30; echo never");
        await WaitForOutputAsync(target.Id, "ready");

        var outcome = await _interceptor.KillAsync(target.Id);

        Assert.True(outcome.WasRunning);
        Assert.Equal(128 + 9, outcome.Exit!.ExitCode);
        Assert.Equal("ready\n", outcome.Stdout);
    }

    [Fact]
    public async Task Unknown_target_ids_are_an_error_with_the_spec_wording()
    {
        var e = await Assert.ThrowsAsync<InterceptorException>(() => _interceptor.KillAsync("proc_999999"));
        Assert.Equal("No spawned process with target ID 'proc_999999'", e.Message);

        var target = await SpawnAsync("true");
        await _interceptor.KillAsync(target.Id);
        await Assert.ThrowsAsync<InterceptorException>(() => _interceptor.KillAsync(target.Id));
    }

    [Fact]
    public async Task A_program_that_cannot_start_is_an_error_not_a_target()
    {
        var missing = await Assert.ThrowsAsync<InterceptorException>(() => SpawnAsync("no-such-program-4711"));
        Assert.Equal("Failed to start 'no-such-program-4711': command not found on PATH", missing.Message);

        var notExecutable = Path.Combine(_temp.Path, "data.txt");
        await File.WriteAllTextAsync(notExecutable, "not a program");
        var denied = await Assert.ThrowsAsync<InterceptorException>(() => SpawnAsync(notExecutable));
        Assert.StartsWith($"Failed to start '{notExecutable}': ", denied.Message);

        Assert.Empty(_interceptor.ActiveTargets);
    }

    [Fact]
    public async Task The_working_directory_must_exist()
    {
        var e = await Assert.ThrowsAsync<InterceptorException>(() =>
            _interceptor.SpawnAsync(new SpawnRequest("pwd", WorkingDirectory: "/no/such/dir"), _proxy));
        Assert.Equal("Working directory '/no/such/dir' does not exist or is not a directory", e.Message);
    }

    [Fact]
    public async Task Runs_in_the_working_directory_with_the_composed_environment_and_literal_arguments()
    {
        var request = new SpawnRequest(
            "sh",
            ["-c", "pwd; printf '%s|%s|%s|%s\\n' \"$HTTPS_PROXY\" \"$FOO\" \"${NO_PROXY-unset}\" \"$SSL_CERT_FILE\"; printf '[%s]' \"$@\"", "sh", "a b", "$HOME", ";echo x"],
            _temp.Path,
            new Dictionary<string, string> { ["FOO"] = "bar" });
        var target = await _interceptor.SpawnAsync(request, _proxy);
        await WaitUntilExitedAsync(target.Id);

        var outcome = await _interceptor.KillAsync(target.Id);
        var lines = outcome.Stdout.Split('\n');
        Assert.Equal(_temp.Path, lines[0]);
        Assert.Equal($"http://127.0.0.1:18080|bar|unset|{target.Details["caBundlePath"]}", lines[1]);
        Assert.Equal("[a b][$HOME][;echo x]", lines[2]);
    }

    [Fact]
    public async Task A_relative_path_is_taken_from_the_working_directory()
    {
        if (OperatingSystem.IsWindows()) return;
        // A link rather than a freshly written script: exec'ing a file just written races with forks in other tests (ETXTBSY).
        File.CreateSymbolicLink(Path.Combine(_temp.Path, "say"), "/bin/echo");

        var target = await _interceptor.SpawnAsync(new SpawnRequest("./say", ["done"], WorkingDirectory: _temp.Path), _proxy);
        var exited = await WaitUntilExitedAsync(target.Id);

        Assert.Equal(0, (int)exited.Details["exitCode"]!);
        Assert.Equal("done\n", (string)exited.Details["stdoutTail"]!);
    }

    [Fact]
    public async Task Stdin_is_closed_so_a_program_reading_it_does_not_hang()
    {
        var target = await SpawnAsync("sh", "-c", "cat; echo after-eof");
        var exited = await WaitUntilExitedAsync(target.Id);

        Assert.Equal(0, (int)exited.Details["exitCode"]!);
        Assert.Equal("after-eof\n", (string)exited.Details["stdoutTail"]!);
    }

    [Fact]
    public async Task Targets_carry_the_spec_details()
    {
        var target = await SpawnAsync("sleep", "30");

        Assert.Equal("proc_" + target.Details["pid"], target.Id);
        Assert.Equal("sleep 30", target.Description);
        Assert.Equal("sleep", (string)target.Details["command"]!);
        Assert.Equal(["30"], target.Details["args"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("http://127.0.0.1:18080", (string)target.Details["proxyUrl"]!);
        Assert.Equal(CaPem, await File.ReadAllTextAsync((string)target.Details["certPath"]!));
        Assert.EndsWith(CaPem, await File.ReadAllTextAsync((string)target.Details["caBundlePath"]!));

        var listed = Assert.Single(_interceptor.ActiveTargets);
        Assert.Equal(target.Id, listed.Id);
        Assert.False((bool)listed.Details["exited"]!);
        Assert.Null(listed.Details["exitCode"]);
        Assert.Equal("", (string)listed.Details["stdoutTail"]!);
        Assert.Equal(0, (long)listed.Details["exchangeCount"]!);
        Assert.Equal(target.ActivatedAt, listed.ActivatedAt);
        Assert.Equal([new ProxyMcp.Interceptors.Linking.TargetProcess(target.Id, (int)target.Details["pid"]!)], _interceptor.TargetProcesses);
    }

    [Fact]
    public async Task Deactivate_all_kills_every_process_and_deletes_the_ca_files()
    {
        var first = await SpawnAsync("sleep", "30");
        var second = await SpawnAsync("sleep", "31");
        var pids = new[] { first, second }.Select(t => (int)t.Details["pid"]!).ToList();

        await _interceptor.DeactivateAllAsync();

        Assert.Empty(_interceptor.ActiveTargets);
        Assert.False(File.Exists((string)first.Details["caBundlePath"]!));
        Assert.False(File.Exists((string)first.Details["certPath"]!));
        foreach (var pid in pids) Assert.False(IsRunning(pid));
    }

    private async Task WaitForOutputAsync(string targetId, string text)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            var target = _interceptor.ActiveTargets.Single(t => t.Id == targetId);
            if (((string)target.Details["stdoutTail"]!).Contains(text, StringComparison.Ordinal)) return;
            await Task.Delay(25);
        }
        throw new TimeoutException($"{targetId} never printed {text}");
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
