namespace ProxyMcp.Engine.Forwarding;

/// <summary>What HTTP says about a status code's response body.</summary>
internal static class StatusRules
{
    /// <summary>False for 1xx, 204, 205 and 304, which never carry a body.</summary>
    public static bool AllowsBody(int status) => status >= 200 && status is not (204 or 205 or 304);
}
