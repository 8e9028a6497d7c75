using System.Text;
using System.Text.Json;

namespace ProxyMcp.Cli.Stdio;

/// <summary>
/// What one JSON-RPC line says about request bookkeeping: its id (kind-prefixed, so 1 and "1" differ), its method,
/// whether it answers a request (has result or error), and for notifications/cancelled the id it cancels.
/// Only the top level (and params.requestId) is read; any other value is skipped unparsed.
/// </summary>
internal readonly record struct JsonRpcEnvelope(string? Id, string? Method, bool IsAnswer, string? CancelledId)
{
    public const string CancelledMethod = "notifications/cancelled";

    public bool IsRequest => Id is not null && Method is not null;

    public static JsonRpcEnvelope Parse(ReadOnlySpan<byte> line)
    {
        string? id = null, method = null, requestId = null;
        var answer = false;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    id = IdText(ref reader);
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("method"u8))
                {
                    reader.Read();
                    method = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("params"u8))
                {
                    reader.Read();
                    requestId = RequestIdOf(ref reader);
                }
                else
                {
                    answer |= reader.ValueTextEquals("result"u8) || reader.ValueTextEquals("error"u8);
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return default; // not JSON-RPC: the SDK answers it (without an id) or ignores it
        }
        return new JsonRpcEnvelope(id, method, answer && method is null, method == CancelledMethod ? requestId : null);
    }

    private static string? IdText(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number => "n:" + Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.String => "s:" + reader.GetString(),
        _ => null,
    };

    /// <summary>Reads a params value to its end, returning its top-level requestId if it has one.</summary>
    private static string? RequestIdOf(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }
        string? requestId = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isRequestId = reader.ValueTextEquals("requestId"u8);
            reader.Read();
            if (isRequestId) requestId = IdText(ref reader);
            reader.Skip();
        }
        return requestId;
    }
}
