namespace ProxyMcp.Interceptors.Linking;

/// <summary>The interceptor target a connection was traced to, and the target process it was found under.</summary>
public sealed record TargetLink(string InterceptorId, string TargetId, int Pid);
