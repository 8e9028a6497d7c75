using System.Globalization;
using System.Runtime.CompilerServices;
using ProxyMcp.Capture.Sessions;

namespace ProxyMcp.Capture.Tests.Sessions;

/// <summary>
/// The child process of the crash test: <c>dotnet exec ProxyMcp.Capture.Tests.dll</c> with
/// <c>PROXYMCP_CRASH_RECORDER=&lt;storage root&gt;</c> records exchanges continuously through the real recorder and
/// prints "recorded &lt;count&gt; &lt;epoch ms&gt;" as it goes, until it is killed. Without the variable (every
/// normal test run) this does nothing.
/// </summary>
internal static class CrashRecorderEntryPoint
{
    public const string Variable = "PROXYMCP_CRASH_RECORDER";

#pragma warning disable CA2255 // The test assembly doubles as the child process's program; there is no other entry point to use.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Run()
    {
        var root = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(root)) return;
        // A module initializer is the module's static constructor: other threads touching this assembly would wait for it
        // forever. So the work runs on a foreground thread, which keeps the process alive after the empty Main returns.
        new Thread(() => RecordUntilKilled(root).GetAwaiter().GetResult()) { IsBackground = false, Name = "crash recorder" }.Start();
    }

    private static async Task RecordUntilKilled(string root)
    {
        var store = new SessionStore(root);
        var recorder = new SessionRecorder(store);
        var manifest = await recorder.StartAsync(new SessionStartOptions { Profile = CaptureProfile.Full, Name = "crash" });
        Console.WriteLine("session " + manifest.Id);
        var body = System.Text.Encoding.UTF8.GetBytes("{\"payload\":\"" + new string('p', 300) + "\"}");
        for (var i = 0; ; i++)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            recorder.Record(SessionTestData.Full(SessionTestData.Exchange("crash-" + i.ToString(CultureInfo.InvariantCulture), $"http://crash.test/{i}", timestamp: now),
                null, body));
            if (i % 50 == 0) Console.WriteLine($"recorded {i + 1} {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
            if (i % 5 == 0) await Task.Delay(1);
        }
    }
}
