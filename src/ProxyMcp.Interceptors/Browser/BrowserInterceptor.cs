using System.Globalization;
using Microsoft.Playwright;
using ProxyMcp.Interceptors.Linking;

namespace ProxyMcp.Interceptors.Browser;

/// <summary>
/// The "browser" interceptor: launches the system Chromium through Playwright, routed through the proxy with our CA pinned
/// by its SPKI hash (nothing is installed in any trust store), QUIC off and loopback not bypassed. Several browsers can run
/// at once, each a target; the main process of each is a <see cref="TargetProcess"/>, so its exchanges carry the target id.
/// </summary>
public sealed class BrowserInterceptor : Interceptor
{
    public const string InterceptorId = "browser";

    /// <summary>How long a closing browser gets before it is killed.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    /// <summary>proxy-mcp's initial navigation: DOMContentLoaded within 30 s, failure ignored.</summary>
    private const float InitialNavigationTimeoutMs = 30_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, BrowserTarget> _targets = new(StringComparer.Ordinal);
    private readonly PlaywrightDriver _driver = new();
    private readonly BrowserOptions _options;
    private readonly TimeProvider _time;

    public BrowserInterceptor(BrowserOptions? options = null, TimeProvider? time = null)
        : base(InterceptorId, "Browser (Chromium via Playwright)",
            "Launch the system Chromium through the proxy (CA trusted by SPKI pin for that browser only, QUIC off, loopback " +
            "proxied); inspect it with the interceptor_browser_* tools and drive it with human-like input (humanizer_*).", time: time)
    {
        _options = options ?? new BrowserOptions();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The Chromium launches use, or null when none is installed.</summary>
    public string? ExecutablePath => ChromiumExecutable.Find(_options.ExecutablePath);

    protected override Task<bool> CheckActivableAsync(CancellationToken cancellationToken) =>
        Task.FromResult(ExecutablePath is not null && PlaywrightDriver.IsInstalled());

    /// <summary>
    /// Starts a browser routed through <paramref name="proxy"/> and, when asked, opens the first page. Throws
    /// <see cref="InterceptorException"/> for invalid arguments, a missing Chromium or a failed launch.
    /// </summary>
    public async Task<BrowserTarget> LaunchAsync(BrowserLaunchRequest request, InterceptionContext proxy, CancellationToken cancellationToken = default)
    {
        request.Validate();
        var executable = ExecutablePath ?? throw new InterceptorException(_options.ExecutablePath is { } configured
            ? $"The configured browser '{configured}' (--browser-path / PROXY_MCP_BROWSER_PATH) is not an executable file."
            : "Chromium was not found: install it (Debian: apt-get install chromium) or pass --browser-path / PROXY_MCP_BROWSER_PATH.");
        if (!PlaywrightDriver.IsInstalled())
        {
            throw new InterceptorException("The Playwright driver (.playwright/ next to the server's assemblies) is missing: rebuild or republish the server.");
        }
        var hasDisplay = _options.HasDisplay();
        var headless = request.Headless ?? !hasDisplay;
        // No display to show it on: headless rather than a failed launch.
        var forcedHeadless = !headless && !hasDisplay;
        if (forcedHeadless) headless = true;

        var profile = Path.Combine(_options.ProfileRoot, "proxy-mcp-browser-" + Guid.NewGuid().ToString("N")[..12]);
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(profile);
        else Directory.CreateDirectory(profile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        IPlaywright playwright;
        try
        {
            playwright = await _driver.AcquireAsync(cancellationToken);
        }
        catch (Exception e) when (e is PlaywrightException or IOException or System.ComponentModel.Win32Exception)
        {
            TryDelete(profile);
            throw new InterceptorException($"Failed to start the Playwright driver: {e.Message}", e);
        }

        IBrowserContext context;
        try
        {
            var options = new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = executable,
                Headless = headless,
                Args = [.. ChromiumArguments.Build(proxy.ProxyUrl, proxy.CertificateFingerprint)],
                Timeout = (float)_options.LaunchTimeout.TotalMilliseconds,
                TimezoneId = request.Timezone,
                Locale = request.Locale,
                // The server owns the browser's life; a signal to the driver must not kill browsers behind our back.
                HandleSIGINT = false,
                HandleSIGTERM = false,
                HandleSIGHUP = false,
            };
            if (request.Viewport is { } viewport) options.ViewportSize = new ViewportSize { Width = viewport.Width, Height = viewport.Height };
            var launch = playwright.Chromium.LaunchPersistentContextAsync(profile, options);
            try
            {
                context = await launch.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The launch itself goes on (bounded by its timeout); whatever it starts is closed, never orphaned.
                _ = launch.ContinueWith(async started =>
                {
                    if (started.IsCompletedSuccessfully) await CloseContextAsync(started.Result);
                    await _driver.ReleaseAsync();
                    TryDelete(profile);
                }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
                throw;
            }
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException or IOException)
        {
            await _driver.ReleaseAsync();
            TryDelete(profile);
            throw new InterceptorException($"Failed to launch Chromium ({executable}): {Shorten(e.Message)}", e);
        }

        BrowserTarget target;
        try
        {
            var pid = await FindPidAsync(profile, cancellationToken);
            var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
            var activatedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
            lock (_lock)
            {
                var id = NewTargetId(activatedAt);
                target = new BrowserTarget(id, context, page, profile, pid, activatedAt, request, headless, executable,
                    context.Browser?.Version, proxy.ProxyUrl, proxy.ProxyEndPoint.Port)
                {
                    Note = forcedHeadless ? "No display (DISPLAY/WAYLAND_DISPLAY unset): launched headless." : null,
                };
                _targets[id] = target;
            }
        }
        catch
        {
            await CloseContextAsync(context);
            await _driver.ReleaseAsync();
            TryDelete(profile);
            throw;
        }

        // Registered before the first request, so its connections are already traced to it.
        if (request.Url is { } url)
        {
            try
            {
                await target.Page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = InitialNavigationTimeoutMs })
                    .WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is PlaywrightException or TimeoutException or InterceptorException)
            {
                // As in proxy-mcp the launch stands; the agent sees where the page is with navigate or the resources.
            }
        }
        return target;
    }

    /// <summary>A running (or crashed, not yet closed) target; unknown → "Browser target '&lt;id&gt;' not found. Is it still running?".</summary>
    public BrowserTarget Get(string targetId)
    {
        lock (_lock)
        {
            if (_targets.TryGetValue(targetId, out var target)) return target;
        }
        throw new InterceptorException($"Browser target '{targetId}' not found. Is it still running?");
    }

    /// <summary>Every target, oldest first.</summary>
    public IReadOnlyList<BrowserTarget> Targets
    {
        get
        {
            lock (_lock) return [.. _targets.Values.OrderBy(t => t.ActivatedAt).ThenBy(t => t.Id, StringComparer.Ordinal)];
        }
    }

    /// <summary>interceptor_browser_close: closes the browser and forgets it; unknown → "No browser instance with target ID '&lt;id&gt;'".</summary>
    public async Task CloseAsync(string targetId, CancellationToken cancellationToken = default)
    {
        BrowserTarget? target;
        lock (_lock) _targets.Remove(targetId, out target);
        if (target is null) throw new InterceptorException($"No browser instance with target ID '{targetId}'");
        try
        {
            // Closing finishes even when the caller stops waiting, so the driver reference is always released.
            await CloseAndReleaseAsync(target).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
    }

    public override IReadOnlyList<ActiveTarget> ActiveTargets => [.. Targets.Select(t => t.ToActiveTarget())];

    public override IReadOnlyList<TargetProcess> TargetProcesses
    {
        get
        {
            lock (_lock) return [.. _targets.Values.Where(t => t.Pid is not null).Select(t => new TargetProcess(t.Id, t.Pid!.Value))];
        }
    }

    public override bool HasTargetProcesses
    {
        get
        {
            lock (_lock)
            {
                foreach (var target in _targets.Values)
                {
                    if (target.Pid is not null) return true;
                }
            }
            return false;
        }
    }

    public override void OnExchangeLinked(string targetId, string exchangeId)
    {
        BrowserTarget? target;
        lock (_lock) _targets.TryGetValue(targetId, out target);
        target?.LinkExchange(exchangeId);
    }

    public override Task DeactivateAsync(string targetId, CancellationToken cancellationToken = default) => CloseAsync(targetId, cancellationToken);

    /// <summary>Closes every browser (concurrently); the Playwright driver stops with the last one.</summary>
    public override async Task DeactivateAllAsync(CancellationToken cancellationToken = default)
    {
        BrowserTarget[] all;
        lock (_lock)
        {
            all = [.. _targets.Values];
            _targets.Clear();
        }
        var closes = all.Select(async target =>
        {
            try
            {
                await CloseAndReleaseAsync(target);
                return null;
            }
            catch (Exception e)
            {
                return $"{target.Id}: {e.Message}";
            }
        });
        var errors = (await Task.WhenAll(closes).WaitAsync(cancellationToken)).OfType<string>().ToList();
        if (errors.Count > 0) throw new InterceptorException(string.Join("; ", errors));
    }

    private async Task CloseAndReleaseAsync(BrowserTarget target)
    {
        try
        {
            await target.CloseAsync(CloseGrace);
        }
        finally
        {
            await _driver.ReleaseAsync();
        }
    }

    private string NewTargetId(long activatedAt)
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"browser_{Environment.ProcessId}_{activatedAt}");
        var unique = id;
        for (var n = 2; _targets.ContainsKey(unique); n++) unique = string.Create(CultureInfo.InvariantCulture, $"{id}_{n}");
        return unique;
    }

    /// <summary>The browser's main process; Playwright has connected to it by now, so it exists unless it died at once.</summary>
    private static async Task<int?> FindPidAsync(string profile, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux()) return null;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            if (ChromiumProcess.FindMainPid(profile) is { } pid) return pid;
            await Task.Delay(50, cancellationToken);
        }
        return null;
    }

    private static async Task CloseContextAsync(IBrowserContext context)
    {
        try
        {
            await context.CloseAsync().WaitAsync(CloseGrace);
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Playwright's launch errors carry the browser's log; enough of it to diagnose, not pages of it.</summary>
    private static string Shorten(string message)
    {
        message = message.Trim();
        return message.Length <= 1000 ? message : message[..1000] + "...";
    }
}
