using System.Text.Json.Nodes;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Resources;

/// <summary>The proxy://traffic/summary document (spec 7.1): counts by method, status, host and TLS fingerprint.</summary>
public static class TrafficSummary
{
    public static JsonObject Build(IReadOnlyList<Exchange> exchanges)
    {
        var methods = new Tally();
        var statuses = new Tally();
        var hosts = new Tally();
        var ja3 = new Tally();
        var ja4 = new Tally();
        var withTls = 0;
        double durationSum = 0;
        var durationCount = 0;
        foreach (var exchange in exchanges)
        {
            methods.Add(exchange.Request.Method);
            if (exchange.Response is { } response) statuses.Add(response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (exchange.Request.Hostname.Length > 0) hosts.Add(exchange.Request.Hostname);
            if (exchange.Duration is { } duration)
            {
                durationSum += duration;
                durationCount++;
            }
            if (exchange.Tls?.Client is { } client)
            {
                withTls++;
                if (client.Ja3Fingerprint is { } j3) ja3.Add(j3);
                if (client.Ja4Fingerprint is { } j4) ja4.Add(j4);
            }
        }

        return new JsonObject
        {
            ["totalExchanges"] = exchanges.Count,
            ["methods"] = methods.ToObject(),
            ["statuses"] = statuses.ToObject(),
            ["topHostnames"] = hosts.Top(10, "host"),
            ["avgDurationMs"] = durationCount == 0 ? null : Math.Round(durationSum / durationCount, MidpointRounding.AwayFromZero),
            ["tls"] = new JsonObject
            {
                ["exchangesWithTls"] = withTls,
                ["topJa3"] = ja3.Top(5, "fingerprint"),
                ["topJa4"] = ja4.Top(5, "fingerprint"),
            },
        };
    }

    /// <summary>Counts per key in first-seen order, so ties rank by first appearance as in the original.</summary>
    private sealed class Tally
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly List<(string Key, int Count)> _counts = [];

        public void Add(string key)
        {
            if (_index.TryGetValue(key, out var i)) _counts[i] = (key, _counts[i].Count + 1);
            else
            {
                _index[key] = _counts.Count;
                _counts.Add((key, 1));
            }
        }

        public JsonObject ToObject()
        {
            var obj = new JsonObject();
            foreach (var (key, count) in _counts) obj[key] = count;
            return obj;
        }

        public JsonArray Top(int n, string keyName)
        {
            var array = new JsonArray();
            // OrderByDescending is stable: equal counts keep first-seen order.
            foreach (var (key, count) in _counts.OrderByDescending(c => c.Count).Take(n))
            {
                array.Add(new JsonObject { [keyName] = key, ["count"] = count });
            }
            return array;
        }
    }
}
