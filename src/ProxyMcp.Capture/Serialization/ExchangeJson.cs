using System.Text.Json;
using System.Text.Json.Nodes;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Serialization;

/// <summary>
/// Writes an <see cref="Exchange"/> as proxy-mcp's <c>CapturedExchange</c> JSON (same field names and order),
/// followed by our lossless extras: httpVersion, error, timings, websocket, clientEndPoint and per-message rawHeaders.
/// </summary>
public static class ExchangeJson
{
    /// <summary>
    /// Relaxed escaping: the JSON goes to agents and files, never into HTML, and escaping every quote,
    /// '&lt;' or non-ASCII character would inflate previews and eat into the tool output budget.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = MinimalJsonEncoder.Instance };

    public static void Write(Utf8JsonWriter writer, Exchange exchange)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(exchange);

        writer.WriteStartObject();
        writer.WriteString("id", exchange.Id);
        writer.WriteNumber("timestamp", exchange.Timestamp);
        if (exchange.Source is not null) writer.WriteString("source", exchange.Source);
        WriteRequest(writer, exchange.Request);
        if (exchange.Response is not null) WriteResponse(writer, exchange.Response);
        if (exchange.Tls is not null) WriteTls(writer, exchange.Tls);
        if (exchange.Duration is { } duration) writer.WriteNumber("duration", Milliseconds(duration));
        if (exchange.MatchedRuleId is not null) writer.WriteString("matchedRuleId", exchange.MatchedRuleId);

        writer.WriteString("httpVersion", exchange.HttpVersion);
        if (exchange.Error is not null)
        {
            writer.WriteStartObject("error");
            writer.WriteString("code", exchange.Error.Code);
            writer.WriteString("message", exchange.Error.Message);
            writer.WriteEndObject();
        }
        writer.WriteStartObject("timings");
        WriteOptionalMilliseconds(writer, "requestSentMs", exchange.Timings.RequestSentMs);
        WriteOptionalMilliseconds(writer, "responseHeadersMs", exchange.Timings.ResponseHeadersMs);
        WriteOptionalMilliseconds(writer, "responseDoneMs", exchange.Timings.ResponseDoneMs);
        writer.WriteEndObject();
        writer.WriteBoolean("websocket", exchange.WebSocket);
        if (exchange.ClientEndPoint is not null) writer.WriteString("clientEndPoint", exchange.ClientEndPoint);
        if (exchange.ClientTarget is not null) writer.WriteString("clientTarget", exchange.ClientTarget);
        writer.WriteEndObject();
    }

    /// <summary>The exchange as compact JSON text.</summary>
    public static string ToJson(Exchange exchange)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, exchange);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The exchange as a mutable node, for callers that embed or trim it.</summary>
    public static JsonObject ToNode(Exchange exchange) => JsonNode.Parse(ToJson(exchange))!.AsObject();

    private static void WriteRequest(Utf8JsonWriter writer, ExchangeRequest request)
    {
        writer.WriteStartObject("request");
        writer.WriteString("method", request.Method);
        writer.WriteString("url", request.Url);
        writer.WriteString("hostname", request.Hostname);
        writer.WriteString("path", request.Path);
        WriteJoinedHeaders(writer, request.Headers);
        writer.WriteString("bodyPreview", request.BodyPreview);
        writer.WriteNumber("bodySize", request.BodySize);
        WriteRawHeaders(writer, request.Headers);
        writer.WriteEndObject();
    }

    private static void WriteResponse(Utf8JsonWriter writer, ExchangeResponse response)
    {
        writer.WriteStartObject("response");
        writer.WriteNumber("statusCode", response.StatusCode);
        writer.WriteString("statusMessage", response.StatusMessage);
        WriteJoinedHeaders(writer, response.Headers);
        writer.WriteString("bodyPreview", response.BodyPreview);
        writer.WriteNumber("bodySize", response.BodySize);
        WriteRawHeaders(writer, response.Headers);
        writer.WriteEndObject();
    }

    /// <summary>The "tls" object alone ({client?, server?}), as proxy_get_tls_fingerprints returns it.</summary>
    public static JsonObject TlsNode(ExchangeTls tls)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            WriteTls(writer, tls);
            writer.WriteEndObject();
        }
        return JsonNode.Parse(buffer.ToArray())!["tls"]!.AsObject().DeepClone().AsObject();
    }

    private static void WriteTls(Utf8JsonWriter writer, ExchangeTls tls)
    {
        writer.WriteStartObject("tls");
        if (tls.Client is { } client)
        {
            writer.WriteStartObject("client");
            WriteOptional(writer, "sniHostname", client.SniHostname);
            if (client.ClientAlpn is not null)
            {
                writer.WriteStartArray("clientAlpn");
                foreach (var protocol in client.ClientAlpn) writer.WriteStringValue(protocol);
                writer.WriteEndArray();
            }
            WriteOptional(writer, "ja3Fingerprint", client.Ja3Fingerprint);
            WriteOptional(writer, "ja4Fingerprint", client.Ja4Fingerprint);
            WriteOptional(writer, "ja3", client.Ja3);
            WriteOptional(writer, "ja4_r", client.Ja4Raw);
            if (client.OfferedVersions is not null)
            {
                writer.WriteStartArray("offeredVersions");
                foreach (var version in client.OfferedVersions) writer.WriteStringValue(version);
                writer.WriteEndArray();
            }
            WriteOptional(writer, "negotiatedProtocol", client.NegotiatedProtocol);
            WriteOptional(writer, "negotiatedAlpn", client.NegotiatedAlpn);
            writer.WriteEndObject();
        }
        if (tls.Server is { } server)
        {
            writer.WriteStartObject("server");
            WriteOptional(writer, "protocol", server.Protocol);
            WriteOptional(writer, "cipher", server.Cipher);
            WriteOptional(writer, "ja3sFingerprint", server.Ja3sFingerprint);
            WriteOptional(writer, "ja3s", server.Ja3s);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    /// <summary>proxy-mcp's lossy map: lower-cased names, repeats joined with ", ".</summary>
    private static void WriteJoinedHeaders(Utf8JsonWriter writer, HeaderList headers)
    {
        writer.WriteStartObject("headers");
        foreach (var (name, value) in headers.ToJoinedMap()) writer.WriteString(name, value);
        writer.WriteEndObject();
    }

    /// <summary>The wire view: [[name, value], …] with case, order and repeats (Set-Cookie survives).</summary>
    private static void WriteRawHeaders(Utf8JsonWriter writer, HeaderList headers)
    {
        writer.WriteStartArray("rawHeaders");
        foreach (var (name, value) in headers)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(name);
            writer.WriteStringValue(value);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null) writer.WriteString(name, value);
    }

    private static void WriteOptionalMilliseconds(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } ms) writer.WriteNumber(name, Milliseconds(ms));
        else writer.WriteNull(name);
    }

    /// <summary>Microsecond precision is plenty and keeps the numbers short.</summary>
    public static double Milliseconds(double value) => Math.Round(value, 3);
}
