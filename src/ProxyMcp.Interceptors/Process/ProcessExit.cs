namespace ProxyMcp.Interceptors.Process;

/// <summary>How a spawned process ended.</summary>
/// <param name="ExitCode">The exit status; a process ended by a signal reports 128 + the signal number (143 for SIGTERM, 137 for SIGKILL), as shells do.</param>
/// <param name="ExitedAt">Epoch milliseconds.</param>
public sealed record ProcessExit(int ExitCode, long ExitedAt);
