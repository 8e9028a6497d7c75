using System.IO.Compression;
using System.Text;
using ProxyMcp.Capture.Sessions;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Bench.Sessions;

/// <summary>
/// Deterministic, API-like traffic: 60 hosts, REST paths with ids, JSON bodies of 0.3–1.5 KB drawn from a 2,000-word
/// vocabulary (so the word index sees realistic text), a fifth of responses gzip-encoded, some binary images,
/// POST bodies, TLS fingerprints on https.
/// </summary>
internal sealed class TrafficGenerator(int seed)
{
    private readonly Random _random = new(seed);
    private static readonly string[] Words = BuildWords();
    private static readonly string[] Hosts = Enumerable.Range(0, 60).Select(i => i % 3 == 0 ? $"api{i}.example.com" : i % 3 == 1 ? $"cdn{i}.static.net" : $"svc{i}.internal.test").ToArray();
    private static readonly string[] Resources = ["users", "orders", "items", "carts", "sessions", "search", "metrics", "assets", "graphql", "auth/token"];
    private static readonly string[] Ja3 = Enumerable.Range(0, 8).Select(i => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(BitConverter.GetBytes(i)))).ToArray();
    private static readonly string[] Ja4 = Enumerable.Range(0, 8).Select(i => $"t13d15{i:D2}h2_8daaf6152771_b0da82dd1658").ToArray();
    private readonly byte[] _png = MakeBinary(seed);

    public const long Start = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    public PendingExchange Next(long index)
    {
        var host = Hosts[_random.Next(Hosts.Length)];
        var https = host[0] != 's';
        var resource = Resources[_random.Next(Resources.Length)];
        var roll = _random.Next(100);
        var method = roll < 70 ? "GET" : roll < 90 ? "POST" : roll < 95 ? "PUT" : "DELETE";
        var path = $"/v1/{resource}/{_random.Next(100_000)}" + (method == "GET" && _random.Next(3) == 0 ? $"?page={_random.Next(50)}&q={Words[_random.Next(Words.Length)]}" : "");
        var url = (https ? "https://" : "http://") + host + path;
        var statusRoll = _random.Next(100);
        var status = statusRoll < 85 ? 200 : statusRoll < 92 ? 404 : statusRoll < 97 ? 500 : 302;
        var image = resource == "assets" && method == "GET";
        byte[]? requestBody = method is "POST" or "PUT" ? Encoding.UTF8.GetBytes(Json(8 + _random.Next(20))) : null;
        var gzip = !image && _random.Next(5) == 0;
        var text = image ? null : Json(30 + _random.Next(120));
        var responseBytes = image ? _png : gzip ? Gzip(text!) : Encoding.UTF8.GetBytes(text!);

        var requestHeaders = new HeaderList
        {
            { "Host", host }, { "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) bench/1.0" }, { "Accept", "application/json" },
            { "Accept-Encoding", "gzip, br" }, { "Authorization", "Bearer " + Words[_random.Next(Words.Length)] + index }, { "X-Request-Id", Guid.NewGuid().ToString() },
        };
        if (requestBody is not null) requestHeaders.Add("Content-Type", "application/json");
        var responseHeaders = new HeaderList
        {
            { "Content-Type", image ? "image/png" : "application/json; charset=utf-8" }, { "Server", "bench" },
            { "Cache-Control", "no-store" }, { "Date", "Thu, 01 Jan 2026 00:00:00 GMT" }, { "Set-Cookie", $"sid={index}; Path=/; HttpOnly" },
            { "Set-Cookie", "theme=dark; Path=/" },
        };
        if (gzip) responseHeaders.Add("Content-Encoding", "gzip");
        var duration = 5 + _random.NextDouble() * (status == 500 ? 900 : 200);
        var exchange = new Exchange
        {
            Id = Guid.NewGuid().ToString(),
            Timestamp = Start + index * 20 + _random.Next(10),
            HttpVersion = https && _random.Next(2) == 0 ? "HTTP/2" : "HTTP/1.1",
            Request = new ExchangeRequest
            {
                Method = method, Url = url, Hostname = host, Path = path, Headers = requestHeaders,
                BodyPreview = requestBody is null ? "" : BodyPreview.Create(requestBody, null, "application/json", true),
                BodySize = requestBody?.Length ?? 0,
            },
            Response = new ExchangeResponse
            {
                StatusCode = status, StatusMessage = status == 200 ? "OK" : "Other", Headers = responseHeaders,
                BodyPreview = BodyPreview.Create(responseBytes, gzip ? "gzip" : null, image ? "image/png" : "application/json", true),
                BodySize = responseBytes.Length,
            },
            Tls = https ? new ExchangeTls { Client = new ClientTls { SniHostname = host, Ja3Fingerprint = Ja3[_random.Next(Ja3.Length)], Ja4Fingerprint = Ja4[_random.Next(Ja4.Length)] } } : null,
            Duration = duration,
            Timings = new ExchangeTimings { RequestSentMs = 0.5, ResponseHeadersMs = duration * 0.8, ResponseDoneMs = duration },
        };
        return new PendingExchange(exchange, requestBody is null ? null : BodyInput.FromBytes(requestBody), BodyInput.FromBytes(responseBytes));
    }

    private string Json(int words)
    {
        var builder = new StringBuilder(words * 10);
        builder.Append("{\"id\":").Append(_random.Next(1_000_000)).Append(",\"tags\":[");
        for (var i = 0; i < 4; i++) builder.Append(i == 0 ? "" : ",").Append('"').Append(Words[_random.Next(Words.Length)]).Append('"');
        builder.Append("],\"text\":\"");
        for (var i = 0; i < words; i++) builder.Append(i == 0 ? "" : " ").Append(Words[_random.Next(Words.Length)]);
        builder.Append("\",\"email\":\"").Append(Words[_random.Next(Words.Length)]).Append("@example.com\"}");
        return builder.ToString();
    }

    private static string[] BuildWords()
    {
        var random = new Random(7);
        const string letters = "abcdefghijklmnopqrstuvwxyz";
        var words = new HashSet<string>();
        while (words.Count < 2000)
        {
            var length = 3 + random.Next(8);
            words.Add(string.Create(length, random, (span, r) => { for (var i = 0; i < span.Length; i++) span[i] = letters[r.Next(letters.Length)]; }));
        }
        return [.. words];
    }

    private static byte[] Gzip(string text)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(Encoding.UTF8.GetBytes(text));
        return output.ToArray();
    }

    private static byte[] MakeBinary(int seed)
    {
        var bytes = new byte[3000];
        new Random(seed).NextBytes(bytes);
        "\u0089PNG\r\n\u001a\n"u8.ToArray().CopyTo(bytes, 0);
        bytes[8] = 0;
        return bytes;
    }
}
