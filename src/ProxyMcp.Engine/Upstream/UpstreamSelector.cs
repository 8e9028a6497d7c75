using System.Collections.Concurrent;
using System.Net;

namespace ProxyMcp.Engine.Upstream;

/// <summary>
/// The IWebProxy the upstream client consults per request: per-host override, else global; bypass list; PAC evaluation.
/// SocketsHttpHandler keeps one connection pool per proxy it returns, so pools are reused per upstream.
/// </summary>
public sealed class UpstreamSelector : IWebProxy, ICredentials
{
    private readonly UpstreamConfiguration _configuration;
    private readonly ConcurrentDictionary<string, PacScript> _pacScripts = new(StringComparer.Ordinal);

    public UpstreamSelector(UpstreamConfiguration configuration)
    {
        _configuration = configuration;
        Credentials = this;
    }

    public ICredentials? Credentials { get; set; }

    /// <summary>Makes a PAC script available for a pac+http(s) upstream (fetched by whoever configures it).</summary>
    public void AddPacScript(UpstreamProxy proxy, PacScript script) => _pacScripts[proxy.ProxyUrl] = script;

    public bool HasPacScript(UpstreamProxy proxy) => _pacScripts.ContainsKey(proxy.ProxyUrl);

    public Uri? GetProxy(Uri destination) => Resolve(destination)?.ProxyUri;

    public bool IsBypassed(Uri host) => Resolve(host) is null;

    /// <summary>The upstream a request to <paramref name="destination"/> goes through, or null for a direct connection.</summary>
    public UpstreamRoute? Resolve(Uri destination)
    {
        var snapshot = _configuration.Current;
        // The common case, no upstream at all, costs nothing per request.
        if (snapshot.Global is null && snapshot.Hosts.IsEmpty) return null;
        var configured = _configuration.For(destination.IdnHost);
        if (configured is null || configured.Bypasses(destination.IdnHost, destination.Port)) return null;
        if (!configured.IsPac) return new UpstreamRoute(configured, ToHandlerUri(configured.Uri));
        if (!_pacScripts.TryGetValue(configured.ProxyUrl, out var script)) return null;
        var chosen = PacScript.FirstProxy(script.Evaluate(destination));
        return chosen is null ? null : new UpstreamRoute(configured, chosen);
    }

    /// <summary>Credentials for a proxy, taken from the user info of the configured URL with that host and port.</summary>
    public NetworkCredential? GetCredential(Uri uri, string authType)
    {
        var snapshot = _configuration.Current;
        foreach (var proxy in snapshot.Hosts.Values.Prepend(snapshot.Global))
        {
            if (proxy is null || string.IsNullOrEmpty(proxy.Uri.UserInfo)) continue;
            if (!string.Equals(proxy.Uri.IdnHost, uri.IdnHost, StringComparison.OrdinalIgnoreCase) || proxy.Uri.Port != uri.Port) continue;
            var parts = proxy.Uri.UserInfo.Split(':', 2);
            return new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
        }
        return null;
    }

    /// <summary>SocketsHttpHandler's names for proxy kinds: "socks5h" and "socks" both mean SOCKS5 with remote DNS there.</summary>
    private static Uri ToHandlerUri(Uri configured)
    {
        var scheme = configured.Scheme switch
        {
            "socks5h" or "socks" => "socks5",
            var other => other,
        };
        return new UriBuilder(configured) { Scheme = scheme, UserName = "", Password = "", Path = "" }.Uri;
    }
}

/// <summary>The configured upstream that applies, and the proxy URI actually used (after PAC).</summary>
public sealed record UpstreamRoute(UpstreamProxy Configured, Uri ProxyUri)
{
    public string Describe() => Configured.IsPac ? $"{ProxyUri.GetLeftPart(UriPartial.Authority)} (from {Configured.MaskedUrl})" : Configured.MaskedUrl;
}
