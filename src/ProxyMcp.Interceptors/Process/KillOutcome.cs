namespace ProxyMcp.Interceptors.Process;

/// <summary>What interceptor_kill reports.</summary>
/// <param name="WasRunning">False when the process had already exited by itself (killing it is then not an error).</param>
/// <param name="Stdout">Last 2048 characters of standard output.</param>
/// <param name="Stderr">Last 2048 characters of standard error.</param>
/// <param name="Exit">The process's real end; null only if it survived SIGKILL for the whole wait (a process stuck in the kernel).</param>
public sealed record KillOutcome(string TargetId, bool WasRunning, string Stdout, string Stderr, ProcessExit? Exit);
