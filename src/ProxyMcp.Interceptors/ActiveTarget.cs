using System.Text.Json.Nodes;

namespace ProxyMcp.Interceptors;

/// <summary>One thing an interceptor currently routes through the proxy (a process, a browser, a device).</summary>
/// <param name="Id">Target id, e.g. "proc_1234".</param>
/// <param name="Description">Human-readable summary, e.g. the command line.</param>
/// <param name="ActivatedAt">Epoch milliseconds.</param>
/// <param name="Details">Interceptor-specific fields, shown as they are; a fresh object per snapshot.</param>
public sealed record ActiveTarget(string Id, string Description, long ActivatedAt, JsonObject Details);
