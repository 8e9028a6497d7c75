using System.Buffers;
using System.Text;
using System.Text.Json;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// Headers as stored in <c>details</c>: a JSON array of [name, value] pairs in the order the engine saw them, case and repeats kept
/// (so Set-Cookie survives, unlike proxy-mcp's joined map). JSON rather than a custom encoding so the database
/// stays readable with the sqlite3 shell.
/// </summary>
internal static class HeaderJson
{
    public static string Write(HeaderList headers)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartArray();
            foreach (var (name, value) in headers)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(name);
                writer.WriteStringValue(value);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static HeaderList Read(string? json)
    {
        var headers = new HeaderList();
        if (string.IsNullOrEmpty(json)) return headers;
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) return headers;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
        {
            reader.Read();
            var name = reader.GetString() ?? "";
            reader.Read();
            var value = reader.GetString() ?? "";
            reader.Read(); // EndArray
            headers.Add(name, value);
        }
        return headers;
    }

    /// <summary>"Name: value" lines, the text the full-text index sees.</summary>
    public static string Text(HeaderList headers)
    {
        var builder = new StringBuilder(headers.Count * 32);
        foreach (var (name, value) in headers) builder.Append(name).Append(": ").Append(value).Append('\n');
        return builder.ToString();
    }
}
