using System.Globalization;
using System.Text;
using System.Text.Json;
using ProxyMcp.Capture.Sessions;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Har;

/// <summary>An entry that cannot be imported: its 1-based index, the field at fault and why.</summary>
internal sealed record HarEntryError(int Index, string Message)
{
    public override string ToString() => $"HAR entry #{Index}: {Message}";
}

/// <summary>
/// Validates one HAR entry and turns it into an exchange with its bodies (spec 6.11), naming the field at fault
/// for anything it rejects. HAR bodies are content, not wire bytes: they are stored marked as decoded so nothing
/// tries to undo a Content-Encoding on them again.
/// </summary>
internal static class HarEntryConverter
{
    public sealed record Converted(PendingExchange Pending, List<string> Warnings);

    /// <summary>The exchange, or the error. In strict mode, problems that are only warnings otherwise become errors.</summary>
    public static (Converted? Result, HarEntryError? Error) Convert(JsonElement entry, int index, string sessionId, long importTime, bool strict)
    {
        var warnings = new List<string>();
        HarEntryError Fail(string message) => new(index, message);
        bool Problem(string message, out HarEntryError? error)
        {
            // Tolerated quirks: a warning normally, an error under strict.
            if (strict)
            {
                error = Fail(message);
                return false;
            }
            warnings.Add($"HAR entry #{index}: {message}");
            error = null;
            return true;
        }

        if (entry.ValueKind != JsonValueKind.Object) return (null, Fail("entry is not an object."));
        if (!entry.TryGetProperty("request", out var request) || request.ValueKind != JsonValueKind.Object) return (null, Fail("missing request object."));
        if (!request.TryGetProperty("method", out var methodElement) || methodElement.ValueKind != JsonValueKind.String || methodElement.GetString()!.Length == 0)
            return (null, Fail("missing request.method."));
        if (!request.TryGetProperty("url", out var urlElement) || urlElement.ValueKind != JsonValueKind.String || urlElement.GetString()!.Length == 0)
            return (null, Fail("missing request.url."));
        var url = urlElement.GetString()!;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.IsFile || string.IsNullOrEmpty(uri.Host))
            return (null, Fail($"invalid request.url (not an absolute http(s) URL: '{Shorten(url)}')."));

        var requestHeaders = Headers(request, "request", warnings, index, strict, out var headerError);
        if (headerError is not null) return (null, headerError);
        var requestBody = PostData(request, index, out var bodyError);
        if (bodyError is not null) return (null, bodyError);

        long timestamp;
        if (!entry.TryGetProperty("startedDateTime", out var started) || started.ValueKind != JsonValueKind.String)
        {
            if (!Problem("missing startedDateTime, using import time.", out var e)) return (null, e);
            timestamp = importTime;
        }
        else if (DateTimeOffset.TryParse(started.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            timestamp = parsed.ToUnixTimeMilliseconds();
        }
        else
        {
            if (!Problem("invalid startedDateTime, using import time.", out var e)) return (null, e);
            timestamp = importTime;
        }

        ExchangeResponse? response = null;
        byte[]? responseBody = null;
        if (!entry.TryGetProperty("response", out var responseElement) || responseElement.ValueKind != JsonValueKind.Object)
        {
            if (!Problem("missing response object.", out var e)) return (null, e);
        }
        else
        {
            var responseHeaders = Headers(responseElement, "response", warnings, index, strict, out headerError);
            if (headerError is not null) return (null, headerError);
            responseBody = Content(responseElement, index, out bodyError);
            if (bodyError is not null) return (null, bodyError);
            var status = responseElement.TryGetProperty("status", out var statusElement) && statusElement.ValueKind == JsonValueKind.Number
                ? (int)Math.Max(0, Math.Min(int.MaxValue, Math.Truncate(statusElement.GetDouble())))
                : 0;
            response = new ExchangeResponse
            {
                StatusCode = status,
                StatusMessage = responseElement.TryGetProperty("statusText", out var statusText) && statusText.ValueKind == JsonValueKind.String ? statusText.GetString()! : "",
                Headers = responseHeaders,
                BodyPreview = responseBody is null ? "" : BodyPreview.Create(responseBody, null, responseHeaders.Get("content-type"), complete: true),
                BodySize = Size(responseElement, responseBody),
            };
        }

        double? duration = entry.TryGetProperty("time", out var time) && time.ValueKind == JsonValueKind.Number && double.IsFinite(time.GetDouble())
            ? Math.Round(Math.Max(0, time.GetDouble()))
            : null;
        var exchange = new Exchange
        {
            Id = $"har_{sessionId}_{index}",
            Timestamp = timestamp,
            Source = "har",
            HttpVersion = request.TryGetProperty("httpVersion", out var version) && version.ValueKind == JsonValueKind.String && version.GetString()!.Length > 0
                ? version.GetString()!
                : "HTTP/1.1",
            Request = new ExchangeRequest
            {
                Method = methodElement.GetString()!.ToUpperInvariant(),
                Url = url,
                Hostname = uri.Host,
                Path = uri.PathAndQuery,
                Headers = requestHeaders,
                BodyPreview = requestBody is null ? "" : BodyPreview.Create(requestBody, null, requestHeaders.Get("content-type"), complete: true),
                BodySize = Size(request, requestBody),
            },
            Response = response,
            Duration = duration,
            Timings = Timings(entry),
        };
        var pending = new PendingExchange(exchange,
            requestBody is { Length: > 0 } ? BodyInput.FromBytes(requestBody, decoded: true) : null,
            responseBody is { Length: > 0 } ? BodyInput.FromBytes(responseBody, decoded: true) : null);
        return (new Converted(pending, warnings), null);
    }

    private static HeaderList Headers(JsonElement message, string side, List<string> warnings, int index, bool strict, out HarEntryError? error)
    {
        error = null;
        var headers = new HeaderList();
        if (!message.TryGetProperty("headers", out var array)) return headers;
        if (array.ValueKind != JsonValueKind.Array)
        {
            error = new HarEntryError(index, $"{side}.headers is not an array.");
            return headers;
        }
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                && item.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String)
            {
                headers.Add(name.GetString()!, value.GetString()!);
            }
            else
            {
                var problem = $"{side}.headers[{i}] needs string name and value.";
                if (strict)
                {
                    error = new HarEntryError(index, problem);
                    return headers;
                }
                warnings.Add($"HAR entry #{index}: {problem} Ignored.");
            }
            i++;
        }
        return headers;
    }

    private static byte[]? PostData(JsonElement request, int index, out HarEntryError? error)
    {
        error = null;
        if (!request.TryGetProperty("postData", out var postData) || postData.ValueKind != JsonValueKind.Object) return null;
        return Text(postData, "request.postData", index, out error) ?? (error is null ? FormFromParams(postData) : null);
    }

    /// <summary>
    /// HAR 1.2 lets postData carry a form as <c>params</c> instead of <c>text</c> (some tools write only that): an
    /// urlencoded form is rebuilt from them, so the body is not lost. Multipart params (with files) cannot be rebuilt
    /// byte for byte and are left out.
    /// </summary>
    private static byte[]? FormFromParams(JsonElement postData)
    {
        if (!postData.TryGetProperty("params", out var parameters) || parameters.ValueKind != JsonValueKind.Array || parameters.GetArrayLength() == 0)
            return null;
        var mimeType = postData.TryGetProperty("mimeType", out var mime) && mime.ValueKind == JsonValueKind.String ? mime.GetString()! : "";
        if (mimeType.Length > 0 && !mimeType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)) return null;
        var form = new StringBuilder();
        foreach (var parameter in parameters.EnumerateArray())
        {
            if (parameter.ValueKind != JsonValueKind.Object || !parameter.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                continue;
            var value = parameter.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            if (form.Length > 0) form.Append('&');
            form.Append(Uri.EscapeDataString(name.GetString()!)).Append('=').Append(Uri.EscapeDataString(value));
        }
        return form.Length == 0 ? null : Encoding.UTF8.GetBytes(form.ToString());
    }

    private static byte[]? Content(JsonElement response, int index, out HarEntryError? error)
    {
        error = null;
        if (!response.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Object) return null;
        return Text(content, "response.content", index, out error);
    }

    private static byte[]? Text(JsonElement holder, string field, int index, out HarEntryError? error)
    {
        error = null;
        if (!holder.TryGetProperty("text", out var text) || text.ValueKind == JsonValueKind.Null) return null;
        if (text.ValueKind != JsonValueKind.String)
        {
            error = new HarEntryError(index, $"{field}.text is not a string.");
            return null;
        }
        var base64 = holder.TryGetProperty("encoding", out var encoding) && encoding.ValueKind == JsonValueKind.String
            && encoding.GetString()!.Equals("base64", StringComparison.OrdinalIgnoreCase);
        if (!base64) return Encoding.UTF8.GetBytes(text.GetString()!);
        if (text.TryGetBytesFromBase64(out var bytes)) return bytes;
        error = new HarEntryError(index, $"{field}.text is not valid base64 (encoding is \"base64\").");
        return null;
    }

    /// <summary>HAR bodySize when it is a number ≥ 0, else the length of the decoded body.</summary>
    private static long Size(JsonElement message, byte[]? body) =>
        message.TryGetProperty("bodySize", out var size) && size.ValueKind == JsonValueKind.Number && size.TryGetDouble(out var value) && value >= 0 && double.IsFinite(value)
            ? (long)value
            : body?.Length ?? 0;

    /// <summary>
    /// HAR timings as the engine's milestones, so that export gives back the entry's time. HAR's time is
    /// blocked + dns + connect + send + wait + receive (ssl is counted inside connect, -1 means not applicable); the
    /// engine has no connection phases, so they are folded into the "sent" milestone. Timings with nothing above 0 in
    /// send, wait and receive say nothing (some tools write all zeros): the milestones stay null and export falls back
    /// to the entry's time, kept as the duration.
    /// </summary>
    private static ExchangeTimings Timings(JsonElement entry)
    {
        if (!entry.TryGetProperty("timings", out var timings) || timings.ValueKind != JsonValueKind.Object) return new ExchangeTimings();
        double? Part(string name) =>
            timings.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var ms) && double.IsFinite(ms) && ms >= 0
                ? ms
                : null;
        var send = Part("send");
        var wait = Part("wait");
        var receive = Part("receive");
        if (!(send > 0 || wait > 0 || receive > 0)) return new ExchangeTimings();
        double? sent = null;
        foreach (var part in new[] { Part("blocked"), Part("dns"), Part("connect"), send })
            if (part is { } ms) sent = (sent ?? 0) + ms;
        double? headers = wait is { } w ? (sent ?? 0) + w : null;
        return new ExchangeTimings
        {
            RequestSentMs = sent,
            ResponseHeadersMs = headers,
            ResponseDoneMs = headers is { } h && receive is { } r ? h + r : null,
        };
    }

    private static string Shorten(string text) => text.Length > 120 ? text[..120] + "..." : text;
}
