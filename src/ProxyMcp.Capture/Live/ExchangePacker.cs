using System.Text;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Live;

/// <summary>
/// Packs an exchange into one byte array and back, losslessly except for <see cref="Exchange.Bodies"/>, which are left out.
/// </summary>
/// <remarks>
/// The live capture holds thousands of exchanges for a second or more: as object graphs (some twenty objects each) every
/// one of them was copied through both young GC generations, which cost the proxy about a sixth of its CPU per request.
/// Packed into one array allocated on the pinned heap (collected with the old generation only, never copied), an
/// exchange costs the young generations nothing. Reads unpack, which is cheap next to a tool call.
/// </remarks>
internal static class ExchangePacker
{
    private const byte FormatVersion = 1;

    [ThreadStatic] private static BinaryWriter? t_writer;

    public static byte[] Pack(Exchange exchange)
    {
        var writer = t_writer ??= new BinaryWriter(new MemoryStream(4096), Encoding.UTF8);
        var buffer = (MemoryStream)writer.BaseStream;
        buffer.SetLength(0);
        writer.Write(FormatVersion);
        Write(writer, exchange);
        writer.Flush();
        var packed = GC.AllocateUninitializedArray<byte>((int)buffer.Length, pinned: true);
        buffer.GetBuffer().AsSpan(0, packed.Length).CopyTo(packed);
        return packed;
    }

    public static Exchange Unpack(byte[] packed)
    {
        using var reader = new BinaryReader(new MemoryStream(packed, writable: false), Encoding.UTF8);
        var version = reader.ReadByte();
        if (version != FormatVersion) throw new InvalidDataException($"Unknown packed exchange format {version}");
        return ReadExchange(reader);
    }

    /// <summary>True when the packed exchange's id is <paramref name="utf8Id"/> (compared without unpacking the rest).</summary>
    public static bool HasId(byte[] packed, ReadOnlySpan<byte> utf8Id)
    {
        // Layout: version byte, then the id as a 7-bit-encoded length and UTF-8 bytes (BinaryWriter's string format).
        var length = 0;
        var shift = 0;
        var index = 1;
        byte b;
        do
        {
            b = packed[index++];
            length |= (b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);
        return length == utf8Id.Length && packed.AsSpan(index, length).SequenceEqual(utf8Id);
    }

    private static void Write(BinaryWriter writer, Exchange exchange)
    {
        writer.Write(exchange.Id);
        writer.Write(exchange.Timestamp);
        WriteOptional(writer, exchange.Source);
        writer.Write(exchange.HttpVersion);

        var request = exchange.Request;
        writer.Write(request.Method);
        writer.Write(request.Url);
        writer.Write(request.Hostname);
        writer.Write(request.Path);
        WriteHeaders(writer, request.Headers);
        writer.Write(request.BodyPreview);
        writer.Write(request.BodySize);

        writer.Write(exchange.Response is not null);
        if (exchange.Response is { } response)
        {
            writer.Write(response.StatusCode);
            writer.Write(response.StatusMessage);
            WriteHeaders(writer, response.Headers);
            writer.Write(response.BodyPreview);
            writer.Write(response.BodySize);
        }

        writer.Write(exchange.Tls is not null);
        if (exchange.Tls is { } tls)
        {
            writer.Write(tls.Client is not null);
            if (tls.Client is { } client)
            {
                WriteOptional(writer, client.SniHostname);
                WriteOptional(writer, client.ClientAlpn);
                WriteOptional(writer, client.Ja3Fingerprint);
                WriteOptional(writer, client.Ja4Fingerprint);
                WriteOptional(writer, client.Ja3);
                WriteOptional(writer, client.Ja4Raw);
                WriteOptional(writer, client.OfferedVersions);
                WriteOptional(writer, client.NegotiatedProtocol);
                WriteOptional(writer, client.NegotiatedAlpn);
            }
            writer.Write(tls.Server is not null);
            if (tls.Server is { } server)
            {
                WriteOptional(writer, server.Protocol);
                WriteOptional(writer, server.Cipher);
                WriteOptional(writer, server.Ja3sFingerprint);
                WriteOptional(writer, server.Ja3s);
                WriteOptional(writer, server.Alpn);
            }
        }

        WriteOptional(writer, exchange.Duration);
        WriteOptional(writer, exchange.MatchedRuleId);
        writer.Write(exchange.Error is not null);
        if (exchange.Error is { } error)
        {
            writer.Write((int)error.Kind);
            writer.Write(error.Message);
        }
        WriteOptional(writer, exchange.Timings.RequestSentMs);
        WriteOptional(writer, exchange.Timings.ResponseHeadersMs);
        WriteOptional(writer, exchange.Timings.ResponseDoneMs);
        writer.Write(exchange.WebSocket);
        WriteOptional(writer, exchange.ClientEndPoint);
        WriteOptional(writer, exchange.ClientTarget);
    }

    private static Exchange ReadExchange(BinaryReader reader)
    {
        var id = reader.ReadString();
        var timestamp = reader.ReadInt64();
        var source = ReadOptionalString(reader);
        var httpVersion = reader.ReadString();
        var request = new ExchangeRequest
        {
            Method = reader.ReadString(),
            Url = reader.ReadString(),
            Hostname = reader.ReadString(),
            Path = reader.ReadString(),
            Headers = ReadHeaders(reader),
            BodyPreview = reader.ReadString(),
            BodySize = reader.ReadInt64(),
        };
        ExchangeResponse? response = null;
        if (reader.ReadBoolean())
        {
            response = new ExchangeResponse
            {
                StatusCode = reader.ReadInt32(),
                StatusMessage = reader.ReadString(),
                Headers = ReadHeaders(reader),
                BodyPreview = reader.ReadString(),
                BodySize = reader.ReadInt64(),
            };
        }
        ExchangeTls? tls = null;
        if (reader.ReadBoolean())
        {
            ClientTls? client = null;
            if (reader.ReadBoolean())
            {
                client = new ClientTls
                {
                    SniHostname = ReadOptionalString(reader),
                    ClientAlpn = ReadOptionalList(reader),
                    Ja3Fingerprint = ReadOptionalString(reader),
                    Ja4Fingerprint = ReadOptionalString(reader),
                    Ja3 = ReadOptionalString(reader),
                    Ja4Raw = ReadOptionalString(reader),
                    OfferedVersions = ReadOptionalList(reader),
                    NegotiatedProtocol = ReadOptionalString(reader),
                    NegotiatedAlpn = ReadOptionalString(reader),
                };
            }
            ServerTls? server = null;
            if (reader.ReadBoolean())
            {
                server = new ServerTls
                {
                    Protocol = ReadOptionalString(reader),
                    Cipher = ReadOptionalString(reader),
                    Ja3sFingerprint = ReadOptionalString(reader),
                    Ja3s = ReadOptionalString(reader),
                    Alpn = ReadOptionalString(reader),
                };
            }
            tls = new ExchangeTls { Client = client, Server = server };
        }
        var duration = ReadOptionalDouble(reader);
        var matchedRuleId = ReadOptionalString(reader);
        ExchangeError? error = null;
        if (reader.ReadBoolean()) error = new ExchangeError((ExchangeErrorKind)reader.ReadInt32(), reader.ReadString());
        var timings = new ExchangeTimings
        {
            RequestSentMs = ReadOptionalDouble(reader),
            ResponseHeadersMs = ReadOptionalDouble(reader),
            ResponseDoneMs = ReadOptionalDouble(reader),
        };
        return new Exchange
        {
            Id = id,
            Timestamp = timestamp,
            Source = source,
            HttpVersion = httpVersion,
            Request = request,
            Response = response,
            Tls = tls,
            Duration = duration,
            MatchedRuleId = matchedRuleId,
            Error = error,
            Timings = timings,
            WebSocket = reader.ReadBoolean(),
            ClientEndPoint = ReadOptionalString(reader),
            ClientTarget = ReadOptionalString(reader),
        };
    }

    private static void WriteHeaders(BinaryWriter writer, HeaderList headers)
    {
        writer.Write(headers.Count);
        foreach (var (name, value) in headers)
        {
            writer.Write(name);
            writer.Write(value);
        }
    }

    private static HeaderList ReadHeaders(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        var headers = new HeaderList { Capacity = count };
        for (var i = 0; i < count; i++) headers.Add(reader.ReadString(), reader.ReadString());
        return headers;
    }

    private static void WriteOptional(BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null) writer.Write(value);
    }

    private static void WriteOptional(BinaryWriter writer, double? value)
    {
        writer.Write(value is not null);
        if (value is { } number) writer.Write(number);
    }

    private static void WriteOptional(BinaryWriter writer, IReadOnlyList<string>? values)
    {
        writer.Write(values is not null);
        if (values is null) return;
        writer.Write(values.Count);
        foreach (var value in values) writer.Write(value);
    }

    private static string? ReadOptionalString(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;

    private static double? ReadOptionalDouble(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadDouble() : null;

    private static string[]? ReadOptionalList(BinaryReader reader)
    {
        if (!reader.ReadBoolean()) return null;
        var values = new string[reader.ReadInt32()];
        for (var i = 0; i < values.Length; i++) values[i] = reader.ReadString();
        return values;
    }
}
