namespace ProxyMcp.Interceptors.Browser;

/// <summary>The Chromium command-line flags that route a browser through the proxy and trust our CA for it alone.</summary>
public static class ChromiumArguments
{
    /// <param name="proxyUrl">e.g. http://127.0.0.1:8080.</param>
    /// <param name="caSpkiSha256">base64 SHA-256 of our CA's SubjectPublicKeyInfo: certificates chaining to it are accepted
    /// without installing the CA anywhere (the flag needs a user-data-dir, which Playwright always passes).</param>
    public static IReadOnlyList<string> Build(string proxyUrl, string caSpkiSha256) =>
    [
        $"--proxy-server={proxyUrl}",
        // Chromium bypasses proxies for loopback by default; "<-loopback>" removes that rule so local test sites are captured too.
        "--proxy-bypass-list=<-loopback>",
        $"--ignore-certificate-errors-spki-list={caSpkiSha256}",
        // QUIC (HTTP/3 over UDP) would go around an HTTP proxy.
        "--disable-quic",
        // Keep the capture to what the agent does: no background fetches, component updates, sync or first-run pages.
        // (No --disable-features here: Chromium keeps only the last one, and Playwright passes its own list.)
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
    ];
}
