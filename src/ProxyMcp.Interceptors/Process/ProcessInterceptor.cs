using System.Diagnostics;
using System.Text;
using ProxyMcp.Interceptors.Linking;

namespace ProxyMcp.Interceptors.Process;

/// <summary>
/// The "terminal" interceptor: starts programs whose HTTP(S) clients go through the proxy and trust our CA on top of the
/// system's roots, keeps their output and exit status, and stops them on interceptor_kill, deactivate-all or proxy_stop.
/// </summary>
public sealed class ProcessInterceptor : Interceptor
{
    public const string InterceptorId = "terminal";

    /// <summary>Exited processes stay listed (with their output) until killed; beyond this many the oldest are forgotten.</summary>
    public const int MaxExitedTargets = 100;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, SpawnedProcess> _targets = new(StringComparer.Ordinal);
    private readonly CaBundleFiles _caFiles;
    private readonly TimeProvider _time;
    private readonly Func<IEnumerable<KeyValuePair<string, string>>> _inheritedEnvironment;

    /// <param name="caFiles">Where the CA files for children are written (deleted again by <see cref="DeactivateAllAsync"/>).</param>
    /// <param name="inheritedEnvironment">The environment children inherit; the server's own by default.</param>
    public ProcessInterceptor(CaBundleFiles caFiles, TimeProvider? time = null,
        Func<IEnumerable<KeyValuePair<string, string>>>? inheritedEnvironment = null)
        : base(InterceptorId, "Terminal / Process Spawner",
            "Spawn a program (no shell) with HTTP_PROXY/HTTPS_PROXY and CA variables set so its HTTP clients go through the " +
            "proxy; TLS verification stays on against the system's roots plus the proxy CA.", time: time)
    {
        _caFiles = caFiles;
        _time = time ?? TimeProvider.System;
        _inheritedEnvironment = inheritedEnvironment ?? ProxyVariables.CurrentEnvironment;
    }

    /// <summary>How long a process gets to end after SIGTERM before SIGKILL (proxy-mcp: 3 s).</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(3);

    protected override Task<bool> CheckActivableAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    /// <summary>
    /// Starts <paramref name="request"/> routed through the proxy. Throws <see cref="InterceptorException"/> for invalid
    /// arguments, a missing working directory or a program that cannot be started (proxy-mcp reported those as success).
    /// Returns the new target; its details are those interceptor_spawn shows.
    /// </summary>
    public Task<ActiveTarget> SpawnAsync(SpawnRequest request, InterceptionContext proxy, CancellationToken cancellationToken = default)
    {
        request.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var workingDirectory = ResolveWorkingDirectory(request.WorkingDirectory);
        var caFiles = _caFiles.Ensure(proxy.CertificatePem);
        var variables = new ProxyVariables(proxy.ProxyUrl, caFiles.CaBundlePath, caFiles.CaCertificatePath, proxy.CertificateFingerprint);
        var environment = variables.Compose(_inheritedEnvironment(), request.Environment);
        var executable = ResolveExecutable(request.Command, workingDirectory, environment.GetValueOrDefault("PATH"));

        var startInfo = new ProcessStartInfo
        {
            FileName = executable,
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            CreateNoWindow = true,
        };
        foreach (var argument in request.Arguments ?? []) startInfo.ArgumentList.Add(argument);
        startInfo.Environment.Clear();
        foreach (var (name, value) in environment) startInfo.Environment[name] = value;

        SpawnedProcess spawned;
        List<SpawnedProcess> forgotten;
        // A fast child can connect to the proxy before it is registered; lookups wait for the spawn to finish.
        Interlocked.Increment(ref _spawning);
        try
        {
            try
            {
                spawned = SpawnedProcess.Start(startInfo, request, proxy.ProxyUrl, caFiles, _time);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                throw new InterceptorException($"Failed to start '{request.Command}': {e.Message}", e);
            }

            lock (_lock)
            {
                // A pid can only be reused once its previous owner exited; that old entry makes way.
                if (_targets.Remove(spawned.TargetId, out var previous)) previous.Dispose();
                _targets[spawned.TargetId] = spawned;
                forgotten = PruneExited();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _spawning);
        }
        foreach (var old in forgotten) old.Dispose();
        var target = new ActiveTarget(spawned.TargetId, spawned.Description, spawned.StartedAt, spawned.DetailsCore());
        return Task.FromResult(target);
    }

    /// <summary>
    /// interceptor_kill: stops the process (SIGTERM, SIGKILL after <see cref="KillGrace"/>), forgets the target and returns
    /// its output tails and exit. Unknown id → "No spawned process with target ID '&lt;id&gt;'".
    /// </summary>
    public async Task<KillOutcome> KillAsync(string targetId, CancellationToken cancellationToken = default)
    {
        SpawnedProcess? spawned;
        lock (_lock)
        {
            _targets.Remove(targetId, out spawned);
        }
        if (spawned is null) throw new InterceptorException($"No spawned process with target ID '{targetId}'");
        var kill = spawned.KillAsync(KillGrace);
        // The kill finishes even if the caller stops waiting; only then is the process handle released.
        _ = kill.ContinueWith(_ => spawned.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await kill.WaitAsync(cancellationToken);
    }

    public override IReadOnlyList<ActiveTarget> ActiveTargets
    {
        get
        {
            SpawnedProcess[] snapshot;
            lock (_lock) snapshot = [.. _targets.Values];
            return [.. snapshot.OrderBy(t => t.StartedAt).ThenBy(t => t.Pid).Select(t => t.ToActiveTarget())];
        }
    }

    private int _spawning;

    public override IReadOnlyList<TargetProcess> TargetProcesses
    {
        get
        {
            SpinWait.SpinUntil(() => Volatile.Read(ref _spawning) == 0, TimeSpan.FromMilliseconds(200));
            lock (_lock) return [.. _targets.Values.Where(t => t.Exit is null).Select(t => new TargetProcess(t.TargetId, t.Pid))];
        }
    }

    public override bool HasTargetProcesses
    {
        get
        {
            if (Volatile.Read(ref _spawning) != 0) return true;
            lock (_lock)
            {
                foreach (var target in _targets.Values)
                {
                    if (target.Exit is null) return true;
                }
            }
            return false;
        }
    }

    public override void OnExchangeLinked(string targetId, string exchangeId)
    {
        SpawnedProcess? spawned;
        lock (_lock) _targets.TryGetValue(targetId, out spawned);
        spawned?.LinkExchange(exchangeId);
    }

    public override async Task DeactivateAsync(string targetId, CancellationToken cancellationToken = default) =>
        await KillAsync(targetId, cancellationToken);

    /// <summary>Kills every spawned process (concurrently) and deletes the CA files written for them.</summary>
    public override async Task DeactivateAllAsync(CancellationToken cancellationToken = default)
    {
        string[] ids;
        lock (_lock) ids = [.. _targets.Keys];
        var kills = ids.Select(async id =>
        {
            try
            {
                await KillAsync(id, cancellationToken);
                return null;
            }
            catch (InterceptorException)
            {
                return null; // Killed by someone else meanwhile.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return $"{id}: {e.Message}";
            }
        });
        var errors = (await Task.WhenAll(kills)).OfType<string>().ToList();
        _caFiles.Delete();
        if (errors.Count > 0) throw new InterceptorException(string.Join("; ", errors));
    }

    private List<SpawnedProcess> PruneExited()
    {
        var exited = _targets.Values.Where(t => t.Exit is not null).OrderBy(t => t.Exit!.ExitedAt).ToList();
        var excess = exited.Take(Math.Max(0, exited.Count - MaxExitedTargets)).ToList();
        foreach (var old in excess) _targets.Remove(old.TargetId);
        return excess;
    }

    private static string ResolveWorkingDirectory(string? requested)
    {
        if (string.IsNullOrWhiteSpace(requested)) return Directory.GetCurrentDirectory();
        var full = Path.GetFullPath(requested);
        if (!Directory.Exists(full)) throw new InterceptorException($"Working directory '{requested}' does not exist or is not a directory");
        return full;
    }

    /// <summary>
    /// The program to execute. A bare name is looked up on the child's PATH (as a shell or Node's spawn would) so a
    /// missing program is a clear error before anything starts; a relative path is taken from the working directory.
    /// </summary>
    internal static string ResolveExecutable(string command, string workingDirectory, string? path)
    {
        if (OperatingSystem.IsWindows()) return command; // Process.Start applies PATH and PATHEXT itself.
        if (command.Contains('/')) return Path.GetFullPath(command, workingDirectory);
        foreach (var directory in (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(Path.GetFullPath(directory, workingDirectory), command);
            if (IsExecutableFile(candidate)) return candidate;
        }
        throw new InterceptorException($"Failed to start '{command}': command not found on PATH");
    }

    private static bool IsExecutableFile(string path)
    {
        try
        {
            if (!File.Exists(path)) return false;
            if (OperatingSystem.IsWindows()) return true;
            const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            return (File.GetUnixFileMode(path) & anyExecute) != 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
