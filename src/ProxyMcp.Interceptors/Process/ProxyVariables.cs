namespace ProxyMcp.Interceptors.Process;

/// <summary>
/// The variables that send a spawned program through the proxy (spec 9.1) — minus the three that turn TLS verification
/// off in proxy-mcp (NODE_TLS_REJECT_UNAUTHORIZED=0, GIT_SSL_NO_VERIFY=true, npm_config_strict_ssl=false; weakness 22).
/// Verification stays on because the CA variables name a bundle holding the system's roots plus ours, so connections
/// that do not pass through the proxy verify as before (weakness 53).
/// </summary>
/// <param name="ProxyUrl">"http://127.0.0.1:&lt;port&gt;".</param>
/// <param name="CaBundlePath">System roots + our CA.</param>
/// <param name="CaCertificatePath">Our CA alone (for NODE_EXTRA_CA_CERTS, which adds to Node's built-in roots).</param>
/// <param name="CertificateFingerprint">base64 SHA-256 of our CA's SubjectPublicKeyInfo.</param>
public sealed record ProxyVariables(string ProxyUrl, string CaBundlePath, string CaCertificatePath, string CertificateFingerprint)
{
    /// <summary>Variables never inherited from the server: a NO_PROXY naming localhost or 127.0.0.1 would bypass the proxy.</summary>
    public static readonly IReadOnlyList<string> NotInherited = ["NO_PROXY", "no_proxy"];

    /// <summary>In the order they are applied; each overrides an inherited or caller-given value.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToList() =>
    [
        new("HTTP_PROXY", ProxyUrl),
        new("HTTPS_PROXY", ProxyUrl),
        new("http_proxy", ProxyUrl),
        new("https_proxy", ProxyUrl),
        new("SSL_CERT_FILE", CaBundlePath),
        new("NODE_EXTRA_CA_CERTS", CaCertificatePath),
        // Node ≥ 24 (and 22.21+) honours the proxy variables only with this; older Node ignores it and them.
        new("NODE_USE_ENV_PROXY", "1"),
        new("REQUESTS_CA_BUNDLE", CaBundlePath),
        new("CURL_CA_BUNDLE", CaBundlePath),
        new("AWS_CA_BUNDLE", CaBundlePath),
        new("DENO_CERT", CaBundlePath),
        new("DENO_TLS_CA_STORE", "system"),
        new("GIT_SSL_CAINFO", CaBundlePath),
        new("npm_config_proxy", ProxyUrl),
        new("npm_config_https_proxy", ProxyUrl),
        new("npm_config_cafile", CaBundlePath),
        new("PROXY_MCP_CERT_FINGERPRINT", CertificateFingerprint),
    ];

    /// <summary>
    /// The child's environment: <paramref name="inherited"/> without <see cref="NotInherited"/>, then the caller's
    /// <paramref name="extra"/>, then these variables.
    /// </summary>
    public Dictionary<string, string> Compose(IEnumerable<KeyValuePair<string, string>> inherited, IReadOnlyDictionary<string, string>? extra)
    {
        var comparer = OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var environment = new Dictionary<string, string>(comparer);
        foreach (var (name, value) in inherited) environment[name] = value;
        foreach (var name in NotInherited) environment.Remove(name);
        if (extra is not null)
        {
            foreach (var (name, value) in extra) environment[name] = value;
        }
        foreach (var (name, value) in ToList()) environment[name] = value;
        return environment;
    }

    /// <summary>The server's own environment as pairs.</summary>
    public static IEnumerable<KeyValuePair<string, string>> CurrentEnvironment()
    {
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value) yield return new(name, value);
        }
    }
}
