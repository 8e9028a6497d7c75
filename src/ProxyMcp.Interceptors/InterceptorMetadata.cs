namespace ProxyMcp.Interceptors;

/// <summary>What interceptor_list, interceptor_status and proxy://interceptors show for one interceptor.</summary>
public sealed record InterceptorMetadata(
    string Id,
    string Name,
    string Description,
    bool IsActivable,
    IReadOnlyList<ActiveTarget> ActiveTargets);
