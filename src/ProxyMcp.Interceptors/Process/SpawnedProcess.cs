using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ProxyMcp.Interceptors.Process;

/// <summary>
/// One program started by interceptor_spawn: its output (bounded), its exit, and the exchanges traced back to it.
/// Owns the <see cref="System.Diagnostics.Process"/>.
/// </summary>
internal sealed class SpawnedProcess : IDisposable
{
    /// <summary>Tail lengths proxy-mcp shows in status/list metadata and in interceptor_kill.</summary>
    public const int StatusTailChars = 1024;
    public const int KillTailChars = 2048;
    private const int RecentExchangeCount = 20;
    private static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AfterSigKillWait = TimeSpan.FromSeconds(5);

    private readonly System.Diagnostics.Process _process;
    private readonly Task _outputPumps;
    private readonly Task _exited;
    private readonly TimeProvider _time;
    private readonly Lock _linksLock = new();
    private readonly Queue<string> _recentExchanges = new();
    private long _exchangeCount;
    private volatile ProcessExit? _exit;

    private SpawnedProcess(System.Diagnostics.Process process, SpawnRequest request, string workingDirectory, string proxyUrl,
        CaFiles caFiles, TimeProvider time)
    {
        _process = process;
        _time = time;
        Pid = process.Id;
        TargetId = $"proc_{Pid}";
        Command = request.Command;
        Arguments = request.Arguments ?? [];
        WorkingDirectory = workingDirectory;
        ProxyUrl = proxyUrl;
        CaFiles = caFiles;
        StartedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        _outputPumps = Task.WhenAll(
            PumpAsync(process.StandardOutput, Stdout),
            PumpAsync(process.StandardError, Stderr));
        _exited = WatchExitAsync();
    }

    public string TargetId { get; }
    public int Pid { get; }
    public string Command { get; }
    public IReadOnlyList<string> Arguments { get; }
    public string WorkingDirectory { get; }
    public string ProxyUrl { get; }
    public CaFiles CaFiles { get; }
    public long StartedAt { get; }
    public OutputBuffer Stdout { get; } = new();
    public OutputBuffer Stderr { get; } = new();

    /// <summary>Null while the process runs.</summary>
    public ProcessExit? Exit => _exit;

    /// <summary>Starts the process (throws what <see cref="System.Diagnostics.Process.Start()"/> throws) and begins reading its output.</summary>
    public static SpawnedProcess Start(ProcessStartInfo startInfo, SpawnRequest request, string proxyUrl, CaFiles caFiles, TimeProvider time)
    {
        var process = new System.Diagnostics.Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }
        // stdin gets an immediate end-of-file: nobody will ever type into it.
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone.
        }
        return new SpawnedProcess(process, request, startInfo.WorkingDirectory, proxyUrl, caFiles, time);
    }

    public string Description => string.Join(' ', [Command, .. Arguments]);

    public void LinkExchange(string exchangeId)
    {
        lock (_linksLock)
        {
            _exchangeCount++;
            _recentExchanges.Enqueue(exchangeId);
            while (_recentExchanges.Count > RecentExchangeCount) _recentExchanges.Dequeue();
        }
    }

    /// <summary>
    /// SIGTERM, then after <paramref name="grace"/> SIGKILL to the process and its descendants; returns the output tails and
    /// the real exit. A process that already ended is not an error: its own exit is reported.
    /// </summary>
    public async Task<KillOutcome> KillAsync(TimeSpan grace)
    {
        var wasRunning = !_process.HasExited;
        if (wasRunning)
        {
            if (!UnixSignals.TrySend(Pid, UnixSignals.SigTerm)) KillTree();
            if (!await WaitAsync(_exited, grace))
            {
                KillTree();
                await WaitAsync(_exited, AfterSigKillWait);
            }
        }
        else
        {
            await WaitAsync(_exited, AfterSigKillWait);
        }
        // The last words a process wrote may still be in the pipe; a descendant holding the pipe open must not block us.
        await WaitAsync(_outputPumps, DrainWait);
        return new KillOutcome(TargetId, wasRunning, Stdout.Tail(KillTailChars), Stderr.Tail(KillTailChars), _exit);
    }

    public ActiveTarget ToActiveTarget()
    {
        var exit = _exit;
        JsonArray recent;
        long count;
        lock (_linksLock)
        {
            recent = new JsonArray([.. _recentExchanges.Select(id => JsonValue.Create(id))]);
            count = _exchangeCount;
        }
        var details = DetailsCore();
        details["exited"] = exit is not null;
        details["exitCode"] = exit?.ExitCode;
        details["exitedAt"] = exit?.ExitedAt;
        details["stdoutTail"] = Stdout.Tail(StatusTailChars);
        details["stderrTail"] = Stderr.Tail(StatusTailChars);
        details["exchangeCount"] = count;
        details["recentExchangeIds"] = recent;
        return new ActiveTarget(TargetId, Description, StartedAt, details);
    }

    /// <summary>The details interceptor_spawn returns: proxy-mcp's {pid, command, args, proxyUrl, certPath} plus cwd and the bundle.</summary>
    public JsonObject DetailsCore() => new()
    {
        ["pid"] = Pid,
        ["command"] = Command,
        ["args"] = new JsonArray([.. Arguments.Select(a => JsonValue.Create(a))]),
        ["cwd"] = WorkingDirectory,
        ["proxyUrl"] = ProxyUrl,
        ["certPath"] = CaFiles.CaCertificatePath,
        ["caBundlePath"] = CaFiles.CaBundlePath,
    };

    private void KillTree()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Exited in between.
        }
    }

    private async Task WatchExitAsync()
    {
        try
        {
            await _process.WaitForExitAsync().ConfigureAwait(false);
            var exitedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
            // Reported as exited only once its output is read, so "exited" with an empty tail means it printed nothing.
            await WaitAsync(_outputPumps, DrainWait).ConfigureAwait(false);
            _exit = new ProcessExit(_process.ExitCode, exitedAt);
        }
        catch (InvalidOperationException)
        {
            // Disposed before it ended (a process that survived SIGKILL); its exit stays unknown.
        }
    }

    private static async Task PumpAsync(StreamReader reader, OutputBuffer buffer)
    {
        var chunk = new char[4096];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(chunk).ConfigureAwait(false)) > 0) buffer.Append(chunk.AsSpan(0, read));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The pipe closed under us (process disposed); what was read is kept.
        }
    }

    private static async Task<bool> WaitAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public void Dispose() => _process.Dispose();
}
