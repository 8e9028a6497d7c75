using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Jint;

namespace ProxyMcp.Engine.Upstream;

/// <summary>
/// A proxy auto-config file evaluated with Jint: FindProxyForURL(url, host) and the standard PAC helper functions.
/// Decisions are cached per scheme+authority for a minute, since PAC answers rarely depend on the path.
/// </summary>
public sealed class PacScript
{
    private static readonly TimeSpan DecisionLifetime = TimeSpan.FromMinutes(1);
    private readonly Jint.Engine _engine;
    private readonly object _engineLock = new();
    private readonly ConcurrentDictionary<string, (string Result, DateTime Expires)> _decisions = new();

    public PacScript(string script)
    {
        _engine = new Jint.Engine(options => options.TimeoutInterval(TimeSpan.FromSeconds(2)).LimitRecursion(256));
        _engine.SetValue("dnsResolve", new Func<string, string?>(DnsResolve));
        _engine.SetValue("myIpAddress", new Func<string>(MyIpAddress));
        _engine.SetValue("alert", new Action<object?>(_ => { }));
        _engine.Execute(Helpers);
        _engine.Execute(script);
        if (_engine.GetValue("FindProxyForURL").IsUndefined())
            throw new ArgumentException("The PAC file does not define FindProxyForURL(url, host)");
    }

    /// <summary>The raw PAC answer for a URL, e.g. "PROXY p:3128; DIRECT".</summary>
    public string Evaluate(Uri url)
    {
        var key = url.GetLeftPart(UriPartial.Authority);
        if (_decisions.TryGetValue(key, out var cached) && cached.Expires > DateTime.UtcNow) return cached.Result;
        string result;
        lock (_engineLock)
        {
            // Browsers strip path and query of https URLs before asking the PAC; do the same for every URL.
            var value = _engine.Invoke("FindProxyForURL", key + "/", url.IdnHost);
            result = value.IsString() ? value.AsString() : "DIRECT";
        }
        _decisions[key] = (result, DateTime.UtcNow + DecisionLifetime);
        return result;
    }

    /// <summary>The first usable entry of a PAC answer as a proxy URI; null for DIRECT.</summary>
    public static Uri? FirstProxy(string pacResult)
    {
        foreach (var part in pacResult.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = part.Split(' ', 2, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var kind = fields[0].ToUpperInvariant();
            if (kind == "DIRECT") return null;
            if (fields.Length < 2) continue;
            var scheme = kind switch
            {
                "PROXY" or "HTTP" => "http",
                "HTTPS" => "https",
                "SOCKS" or "SOCKS5" => "socks5",
                "SOCKS4" => "socks4",
                _ => null,
            };
            if (scheme is not null && Uri.TryCreate($"{scheme}://{fields[1]}", UriKind.Absolute, out var uri)) return uri;
        }
        return null;
    }

    private static string? DnsResolve(string host)
    {
        try
        {
            return Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)?.ToString();
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static string MyIpAddress() =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))?.ToString() ?? "127.0.0.1";

    // The standard PAC helpers (Netscape's definitions); DNS and address lookups come from the host functions above.
    private const string Helpers = """
        function isPlainHostName(host) { return host.indexOf('.') < 0; }
        function dnsDomainIs(host, domain) { return host.length >= domain.length && host.substring(host.length - domain.length) === domain; }
        function localHostOrDomainIs(host, hostdom) { return host === hostdom || (host.indexOf('.') < 0 && hostdom.indexOf(host + '.') === 0); }
        function isResolvable(host) { return dnsResolve(host) !== null; }
        function dnsDomainLevels(host) { return host.split('.').length - 1; }
        function convertAddr(ip) { var p = ip.split('.'); return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + (p[3] << 0); }
        function isInNet(host, pattern, mask) {
          var ip = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : dnsResolve(host);
          if (ip === null) return false;
          return ((convertAddr(ip) & convertAddr(mask)) >>> 0) === ((convertAddr(pattern) & convertAddr(mask)) >>> 0);
        }
        function shExpMatch(str, shexp) {
          var re = '^' + shexp.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$';
          return new RegExp(re).test(str);
        }
        var __days = ['SUN','MON','TUE','WED','THU','FRI','SAT'];
        function weekdayRange(a, b, gmt) {
          var d = new Date(); var day = (b === 'GMT' || gmt === 'GMT') ? d.getUTCDay() : d.getDay();
          var s = __days.indexOf(a); var e = (b && b !== 'GMT') ? __days.indexOf(b) : s;
          return s <= e ? (day >= s && day <= e) : (day >= s || day <= e);
        }
        function timeRange(h1, h2) {
          var h = new Date().getHours();
          if (h2 === undefined || typeof h2 === 'string') return h === h1;
          return h1 <= h2 ? (h >= h1 && h < h2) : (h >= h1 || h < h2);
        }
        var __months = ['JAN','FEB','MAR','APR','MAY','JUN','JUL','AUG','SEP','OCT','NOV','DEC'];
        function dateRange() {
          var args = Array.prototype.slice.call(arguments); var gmt = args[args.length - 1] === 'GMT';
          if (gmt) args.pop();
          var d = new Date();
          var now = { day: gmt ? d.getUTCDate() : d.getDate(), month: gmt ? d.getUTCMonth() : d.getMonth(), year: gmt ? d.getUTCFullYear() : d.getFullYear() };
          function kind(v) { return typeof v === 'string' ? 'month' : (v > 31 ? 'year' : 'day'); }
          function val(v) { return typeof v === 'string' ? __months.indexOf(v.toUpperCase()) : v; }
          if (args.length === 1) return now[kind(args[0])] === val(args[0]);
          if (args.length === 2 && kind(args[0]) === kind(args[1])) {
            var k = kind(args[0]), a = val(args[0]), b = val(args[1]), x = now[k];
            return a <= b ? (x >= a && x <= b) : (x >= a || x <= b);
          }
          return false;
        }
        """;
}
