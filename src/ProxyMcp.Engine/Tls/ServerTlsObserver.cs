using System.Collections.Concurrent;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Engine.Tls.Fingerprints;

namespace ProxyMcp.Engine.Tls;

/// <summary>
/// Server-side TLS capture (JA3S): when on, new origin connections are tapped for their ServerHello, and the last one
/// seen per origin (host:port) is attached to that origin's exchanges. Off by default; turning it off forgets everything.
/// </summary>
public sealed class ServerTlsObserver
{
    private readonly ConcurrentDictionary<string, ServerTls> _byOrigin = new(StringComparer.OrdinalIgnoreCase);
    private volatile bool _enabled;

    public bool Enabled
    {
        get => _enabled;
        set
        {
            _enabled = value;
            if (!value) _byOrigin.Clear();
        }
    }

    /// <summary>The last ServerHello facts for an origin ("host:port"), when capture is on.</summary>
    public ServerTls? For(string origin) => _enabled && _byOrigin.TryGetValue(origin, out var tls) ? tls : null;

    internal Stream Watch(Stream connection, string origin) =>
        _enabled ? new ServerHelloTap(connection, hello => Record(origin, hello)) : connection;

    private void Record(string origin, ServerHello hello)
    {
        if (!_enabled) return;
        _byOrigin[origin] = new ServerTls
        {
            Protocol = hello.Protocol,
            Cipher = hello.CipherName,
            Ja3sFingerprint = Ja3s.Compute(hello).Hash,
            Ja3s = Ja3s.Compute(hello).Text,
            Alpn = hello.Alpn,
        };
    }
}
