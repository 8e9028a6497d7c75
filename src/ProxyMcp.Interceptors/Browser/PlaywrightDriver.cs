using Microsoft.Playwright;

namespace ProxyMcp.Interceptors.Browser;

/// <summary>
/// The Playwright driver (a Node process shipped in the NuGet package under .playwright/), shared by every browser target
/// and started on the first launch; it is stopped when the last target is released, so an idle server runs no Node process.
/// It never downloads a browser: every launch names the system Chromium.
/// </summary>
internal sealed class PlaywrightDriver
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IPlaywright? _playwright;
    private int _users;

    /// <summary>Whether the driver files are where Playwright looks for them (next to its assembly, or PLAYWRIGHT_DRIVER_SEARCH_PATH).</summary>
    public static bool IsInstalled()
    {
        var configured = Environment.GetEnvironmentVariable("PLAYWRIGHT_DRIVER_SEARCH_PATH");
        var roots = new[] { configured, Path.GetDirectoryName(typeof(IPlaywright).Assembly.Location), AppContext.BaseDirectory };
        return roots.Any(root => !string.IsNullOrEmpty(root) && Directory.Exists(Path.Combine(root, ".playwright", "package")));
    }

    /// <summary>The driver, started if needed; pair every successful call with <see cref="ReleaseAsync"/>.</summary>
    public async Task<IPlaywright> AcquireAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _playwright ??= await Playwright.CreateAsync().WaitAsync(cancellationToken);
            _users++;
            return _playwright;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task ReleaseAsync()
    {
        IPlaywright? stop = null;
        await _gate.WaitAsync();
        try
        {
            if (_users > 0) _users--;
            if (_users == 0)
            {
                stop = _playwright;
                _playwright = null;
            }
        }
        finally
        {
            _gate.Release();
        }
        stop?.Dispose();
    }
}
