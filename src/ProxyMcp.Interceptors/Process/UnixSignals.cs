using System.Runtime.InteropServices;

namespace ProxyMcp.Interceptors.Process;

/// <summary>kill(2), for a polite SIGTERM before .NET's Process.Kill (which only sends SIGKILL).</summary>
internal static partial class UnixSignals
{
    // Same numbers on Linux and macOS.
    public const int SigTerm = 15;

    /// <summary>True when the signal was delivered.</summary>
    public static bool TrySend(int pid, int signal) =>
        !OperatingSystem.IsWindows() && pid > 0 && Kill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
