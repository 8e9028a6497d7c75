using ProxyMcp.Interceptors.Browser;
using ProxyMcp.Interceptors.Tests.Support;

namespace ProxyMcp.Interceptors.Tests.Browser;

public sealed class ChromiumTests
{
    [Fact]
    public void Arguments_route_everything_through_the_proxy_and_pin_our_ca()
    {
        var arguments = ChromiumArguments.Build("http://127.0.0.1:8080", "AAAA+/BBBB=");

        Assert.Contains("--proxy-server=http://127.0.0.1:8080", arguments);
        Assert.Contains("--proxy-bypass-list=<-loopback>", arguments);
        Assert.Contains("--ignore-certificate-errors-spki-list=AAAA+/BBBB=", arguments);
        Assert.Contains("--disable-quic", arguments);
        Assert.DoesNotContain(arguments, a => a.StartsWith("--ignore-certificate-errors=", StringComparison.Ordinal) || a == "--ignore-certificate-errors");
    }

    [Fact]
    public void The_executable_is_the_configured_one_or_found_on_path()
    {
        if (OperatingSystem.IsWindows()) return;
        using var directory = new TempDirectory();
        var chromium = Path.Combine(directory.Path, "chromium-browser");
        File.WriteAllText(chromium, "#!/bin/sh\n");
        File.SetUnixFileMode(chromium, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var notExecutable = Path.Combine(directory.Path, "chrome");
        File.WriteAllText(notExecutable, "");

        Assert.Equal(chromium, ChromiumExecutable.Find(chromium));
        Assert.Null(ChromiumExecutable.Find(notExecutable));
        Assert.Null(ChromiumExecutable.Find(Path.Combine(directory.Path, "missing")));
        Assert.Equal(chromium, ChromiumExecutable.Find(null, directory.Path));
    }

    [Fact]
    public void The_main_process_is_the_one_with_our_profile_and_no_type()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var proc = new TempDirectory();
        void Process(int pid, params string[] arguments)
        {
            Directory.CreateDirectory(Path.Combine(proc.Path, pid.ToString()));
            File.WriteAllText(Path.Combine(proc.Path, pid.ToString(), "cmdline"), string.Join('\0', arguments) + "\0");
        }
        Process(10, "/usr/lib/chromium/chromium", "--type=renderer", "--user-data-dir=/tmp/p1");
        Process(11, "/usr/lib/chromium/chromium", "--user-data-dir=/tmp/p2");
        Process(12, "/usr/lib/chromium/chromium", "--no-sandbox", "--user-data-dir=/tmp/p1");
        Directory.CreateDirectory(Path.Combine(proc.Path, "self"));

        Assert.Equal(12, ChromiumProcess.FindMainPid("/tmp/p1", proc.Path));
        Assert.Equal(11, ChromiumProcess.FindMainPid("/tmp/p2", proc.Path));
        Assert.Null(ChromiumProcess.FindMainPid("/tmp/p", proc.Path));
        Assert.True(ChromiumProcess.IsAlive(Environment.ProcessId));
        Assert.False(ChromiumProcess.IsAlive(12, proc.Path));
    }

    [Fact]
    public async Task A_launch_without_a_usable_browser_says_what_to_fix()
    {
        var browser = new BrowserInterceptor(new BrowserOptions { ExecutablePath = "/no/such/chromium" });
        var context = new InterceptionContext(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1), "", "pin");

        Assert.False(await browser.IsActivableAsync());
        var error = await Assert.ThrowsAsync<InterceptorException>(() => browser.LaunchAsync(new BrowserLaunchRequest(), context));
        Assert.Equal("The configured browser '/no/such/chromium' (--browser-path / PROXY_MCP_BROWSER_PATH) is not an executable file.", error.Message);
        Assert.Empty(browser.ActiveTargets);
        Assert.Equal("Browser target 'browser_1_1' not found. Is it still running?", Assert.Throws<InterceptorException>(() => browser.Get("browser_1_1")).Message);
        Assert.Equal("No browser instance with target ID 'browser_1_1'",
            (await Assert.ThrowsAsync<InterceptorException>(() => browser.CloseAsync("browser_1_1"))).Message);
    }
}
