using System.Globalization;
using System.Text.Json;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Har;

/// <summary>The HAR <c>cookies</c> arrays, parsed from Cookie and Set-Cookie headers (proxy-mcp emitted none, weakness 41).</summary>
internal static class HarCookies
{
    public static void WriteRequest(Utf8JsonWriter writer, HeaderList headers)
    {
        writer.WriteStartArray("cookies");
        foreach (var (name, value) in headers)
        {
            if (!name.Equals("cookie", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var pair in value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                writer.WriteStartObject();
                writer.WriteString("name", equals < 0 ? pair : pair[..equals]);
                writer.WriteString("value", equals < 0 ? "" : pair[(equals + 1)..]);
                writer.WriteEndObject();
            }
        }
        writer.WriteEndArray();
    }

    public static void WriteResponse(Utf8JsonWriter writer, HeaderList? headers)
    {
        writer.WriteStartArray("cookies");
        if (headers is not null)
        {
            foreach (var (name, value) in headers)
            {
                if (name.Equals("set-cookie", StringComparison.OrdinalIgnoreCase)) WriteSetCookie(writer, value);
            }
        }
        writer.WriteEndArray();
    }

    private static void WriteSetCookie(Utf8JsonWriter writer, string header)
    {
        var parts = header.Split(';', StringSplitOptions.TrimEntries);
        if (parts.Length == 0 || parts[0].Length == 0) return;
        var equals = parts[0].IndexOf('=', StringComparison.Ordinal);
        writer.WriteStartObject();
        writer.WriteString("name", equals < 0 ? parts[0] : parts[0][..equals]);
        writer.WriteString("value", equals < 0 ? "" : parts[0][(equals + 1)..]);
        foreach (var attribute in parts.AsSpan(1))
        {
            var eq = attribute.IndexOf('=', StringComparison.Ordinal);
            var key = (eq < 0 ? attribute : attribute[..eq]).Trim().ToLowerInvariant();
            var value = eq < 0 ? "" : attribute[(eq + 1)..].Trim();
            switch (key)
            {
                case "path":
                    writer.WriteString("path", value);
                    break;
                case "domain":
                    writer.WriteString("domain", value);
                    break;
                case "expires":
                    if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expires))
                        writer.WriteString("expires", expires.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
                    break;
                case "httponly":
                    writer.WriteBoolean("httpOnly", true);
                    break;
                case "secure":
                    writer.WriteBoolean("secure", true);
                    break;
            }
        }
        writer.WriteEndObject();
    }
}
