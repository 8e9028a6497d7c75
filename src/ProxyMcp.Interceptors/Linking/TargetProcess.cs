namespace ProxyMcp.Interceptors.Linking;

/// <summary>A process that belongs to a target: connections from it or any of its descendants are the target's.</summary>
public readonly record struct TargetProcess(string TargetId, int Pid);
