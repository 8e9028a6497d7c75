using System.Text.Json.Nodes;
using Microsoft.Playwright;
using ProxyMcp.Interceptors.Humanizer;

namespace ProxyMcp.Interceptors.Browser;

/// <summary>
/// One launched Chromium routed through the proxy: its Playwright context and page, profile directory, main process,
/// console log and input state. A browser that exits or crashes is marked so at once (Playwright's close and crash events,
/// and a /proc liveness check), so tools report it instead of waiting on a dead page.
/// </summary>
public sealed class BrowserTarget
{
    private const int RecentExchangeCount = 20;

    private readonly IPage _page;
    private readonly Lock _linksLock = new();
    private readonly Queue<string> _recentExchanges = new();
    private long _exchangeCount;
    private volatile string? _exitReason;
    private volatile bool _closing;

    internal BrowserTarget(string id, IBrowserContext context, IPage page, string profileDirectory, int? pid, long activatedAt,
        BrowserLaunchRequest request, bool headless, string executablePath, string? version, string proxyUrl, int proxyPort)
    {
        Id = id;
        Context = context;
        _page = page;
        ProfileDirectory = profileDirectory;
        Pid = pid;
        ActivatedAt = activatedAt;
        Request = request;
        Headless = headless;
        ExecutablePath = executablePath;
        Version = version;
        ProxyUrl = proxyUrl;
        ProxyPort = proxyPort;
        Input = new TargetInput(request.InputStyle);

        context.Close += (_, _) => MarkExited("the browser exited or crashed");
        page.Crash += (_, _) => MarkExited("the page crashed");
        page.Console += (_, message) => Console.Add(new ConsoleEntry(message.Type, message.Text, message.Location ?? "", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        // Uncaught exceptions are what an agent debugging a page needs most; they are not console messages, so they get their own type.
        page.PageError += (_, error) => Console.Add(new ConsoleEntry("pageerror", error, "", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
    }

    /// <summary>"browser_&lt;server pid&gt;_&lt;epoch ms&gt;".</summary>
    public string Id { get; }
    public IBrowserContext Context { get; }
    public string ProfileDirectory { get; }
    /// <summary>The browser's main process; null where it cannot be found (not Linux).</summary>
    public int? Pid { get; }
    public long ActivatedAt { get; }
    public BrowserLaunchRequest Request { get; }
    public bool Headless { get; }
    public string ExecutablePath { get; }
    public string? Version { get; }
    public string ProxyUrl { get; }
    public int ProxyPort { get; }
    public ConsoleLog Console { get; } = new();

    /// <summary>Something the agent should know about the launch (e.g. headless although headed was asked for).</summary>
    public string? Note { get; init; }
    public TargetInput Input { get; }

    /// <summary>Set when the browser or its page died; null while it runs.</summary>
    public string? ExitReason
    {
        get
        {
            if (_exitReason is null && !_closing && Pid is { } pid && !ChromiumProcess.IsAlive(pid)) MarkExited("the browser process exited");
            return _exitReason;
        }
    }

    public bool IsRunning => ExitReason is null;

    /// <summary>The page, if the browser still runs; otherwise an <see cref="InterceptorException"/> that says what happened.</summary>
    public IPage Page
    {
        get
        {
            if (ExitReason is { } reason)
            {
                throw new InterceptorException($"Browser target '{Id}' is no longer running ({reason}). Close it with interceptor_browser_close.");
            }
            if (_page.IsClosed) throw new InterceptorException($"Page for browser target '{Id}' is closed.");
            return _page;
        }
    }

    /// <summary>The page's URL as last known (no round trip to the browser).</summary>
    public string CurrentUrl => _page.Url;

    /// <summary>The page title, or null when the browser is gone or does not answer within a second.</summary>
    public async Task<string?> TryGetTitleAsync(CancellationToken cancellationToken = default)
    {
        if (!IsRunning || _page.IsClosed) return null;
        try
        {
            return await _page.TitleAsync().WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>The details interceptor_browser_launch returns: proxy-mcp's fields, then ours.</summary>
    public JsonObject LaunchDetails()
    {
        var details = new JsonObject
        {
            ["proxyPort"] = ProxyPort,
            ["url"] = Request.Url ?? "about:blank",
            ["headless"] = Headless,
            ["humanize"] = Request.Humanize,
            ["humanPreset"] = Request.InputStyle.Profile.Name,
        };
        if (Request.Timezone is { } zone) details["timezone"] = zone;
        if (Request.Locale is { } locale) details["locale"] = locale;
        if (Request.Viewport is { } viewport) details["viewport"] = new JsonObject { ["width"] = viewport.Width, ["height"] = viewport.Height };
        details["pid"] = Pid;
        details["executablePath"] = ExecutablePath;
        details["browserVersion"] = Version;
        details["proxyUrl"] = ProxyUrl;
        if (Note is not null) details["note"] = Note;
        return details;
    }

    public ActiveTarget ToActiveTarget()
    {
        var details = LaunchDetails();
        var reason = ExitReason;
        details["state"] = reason is null ? "running" : "exited";
        if (reason is not null) details["exitReason"] = reason;
        details["currentUrl"] = CurrentUrl;
        lock (_linksLock)
        {
            details["exchangeCount"] = _exchangeCount;
            details["recentExchangeIds"] = new JsonArray([.. _recentExchanges.Select(id => JsonValue.Create(id))]);
        }
        return new ActiveTarget(Id, $"chromium {Version} (headless={(Headless ? "true" : "false")})", ActivatedAt, details);
    }

    internal void LinkExchange(string exchangeId)
    {
        lock (_linksLock)
        {
            _exchangeCount++;
            _recentExchanges.Enqueue(exchangeId);
            while (_recentExchanges.Count > RecentExchangeCount) _recentExchanges.Dequeue();
        }
    }

    /// <summary>
    /// Closes the context (and with it the browser); a browser that does not close within the grace period is killed.
    /// The profile directory is deleted. Never throws for a browser that is already gone.
    /// </summary>
    internal async Task CloseAsync(TimeSpan grace)
    {
        _closing = true;
        try
        {
            await Context.CloseAsync().WaitAsync(grace);
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            // Already gone, or hung: make sure below.
        }
        if (Pid is { } pid && ChromiumProcess.IsAlive(pid)) Kill(pid);
        DeleteProfile();
    }

    private void MarkExited(string reason)
    {
        if (_closing) return;
        _exitReason ??= reason;
    }

    private static void Kill(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            process.WaitForExit(3000);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Exited in between.
        }
    }

    private void DeleteProfile()
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(ProfileDirectory)) Directory.Delete(ProfileDirectory, recursive: true);
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Chromium's last writes may still be landing.
                Thread.Sleep(100);
            }
        }
    }
}
