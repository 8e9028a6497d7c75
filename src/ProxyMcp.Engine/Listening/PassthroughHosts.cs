namespace ProxyMcp.Engine.Listening;

/// <summary>Matches a host against the passthrough list: exact names, or "*.suffix"/".suffix" for a domain and its subdomains.</summary>
internal static class PassthroughHosts
{
    public static bool Matches(IReadOnlyList<string> patterns, string host)
    {
        foreach (var pattern in patterns)
        {
            var suffix = pattern.StartsWith("*.", StringComparison.Ordinal) ? pattern[2..]
                : pattern.StartsWith('.') ? pattern[1..] : null;
            if (suffix is null)
            {
                if (string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase)) return true;
            }
            else if (string.Equals(host, suffix, StringComparison.OrdinalIgnoreCase)
                     || host.EndsWith("." + suffix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
