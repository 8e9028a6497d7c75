using System.Buffers;

namespace ProxyMcp.Engine.Tls.Fingerprints;

/// <summary>
/// Finds the first handshake message in raw TLS records (possibly fragmented over several records) and hands its body to a
/// message parser. Shared by the client and server hello parsers; never throws, never reads past the input.
/// </summary>
internal static class HandshakeReassembler
{
    /// <summary>Largest handshake message (4-byte header included) we accept; real hellos are a few KiB.</summary>
    public const int MaxMessageLength = 64 * 1024;

    /// <summary>Most input we look at: the message cap plus room for the headers of many small records.</summary>
    public const int MaxWireLength = MaxMessageLength + (16 * 1024);

    private const int RecordHeaderLength = 5;
    private const int MessageHeaderLength = 4;
    private const int MaxRecordLength = 1 << 14; // RFC 8446 5.1: TLSPlaintext.length MUST NOT exceed 2^14
    private const byte AlertContentType = 21;
    private const byte HandshakeContentType = 22;

    internal delegate THello? BodyParser<THello>(ReadOnlySpan<byte> body, out string? reason)
        where THello : class;

    public static HelloParseResult<THello> Parse<THello>(
        in ReadOnlySequence<byte> data, byte messageType, string messageName, BodyParser<THello> parseBody)
        where THello : class
    {
        if (data.IsSingleSegment)
        {
            return Parse(data.FirstSpan, messageType, messageName, parseBody);
        }

        // Usually the first segment holds the whole hello; a verdict on a prefix is final unless it asks for more.
        var first = Parse(data.FirstSpan, messageType, messageName, parseBody);
        if (first.Status != HelloParseStatus.NeedMoreData)
        {
            return first;
        }

        var length = (int)Math.Min(data.Length, MaxWireLength);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            data.Slice(0, length).CopyTo(buffer);
            return Parse(buffer.AsSpan(0, length), messageType, messageName, parseBody);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static HelloParseResult<THello> Parse<THello>(
        ReadOnlySpan<byte> data, byte messageType, string messageName, BodyParser<THello> parseBody)
        where THello : class
    {
        if (data.Length > MaxWireLength)
        {
            data = data[..MaxWireLength];
        }

        var status = Locate(data, messageType, messageName, out var bodyLength, out var length, out var contiguous, out var reason);
        switch (status)
        {
            case HelloParseStatus.NeedMoreData:
                return HelloParseResult<THello>.NeedMoreData(length);
            case HelloParseStatus.NotTls:
                return HelloParseResult<THello>.NotTls(reason!);
            case HelloParseStatus.Invalid:
                return HelloParseResult<THello>.Invalid(reason!);
        }

        if (contiguous)
        {
            var body = data.Slice(RecordHeaderLength + MessageHeaderLength, bodyLength);
            return Finish(parseBody(body, out reason), reason, length);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(bodyLength, 1));
        try
        {
            var body = buffer.AsSpan(0, bodyLength);
            CopyBody(data, body);
            return Finish(parseBody(body, out reason), reason, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static HelloParseResult<THello> Finish<THello>(THello? hello, string? reason, int length)
        where THello : class =>
        hello is null
            ? HelloParseResult<THello>.Invalid(reason ?? "malformed hello")
            : HelloParseResult<THello>.Complete(hello, length);

    /// <summary>
    /// Walks the records from the start of <paramref name="data"/>. On <see cref="HelloParseStatus.Complete"/>,
    /// <paramref name="length"/> is where the message ends in the input; on <see cref="HelloParseStatus.NeedMoreData"/> it is
    /// a lower bound of the input length needed (the remaining bytes of the message, plus one record header whenever the
    /// current record is too short to hold them).
    /// </summary>
    private static HelloParseStatus Locate(
        ReadOnlySpan<byte> data,
        byte messageType,
        string messageName,
        out int bodyLength,
        out int length,
        out bool contiguous,
        out string? reason)
    {
        bodyLength = -1;
        length = 0;
        contiguous = false;
        reason = null;
        var position = 0;
        var collected = 0; // message bytes seen so far, header included
        var header = 0;

        while (true)
        {
            var available = data.Length - position;
            if (available >= 1 && data[position] != HandshakeContentType)
            {
                reason = DescribeForeignRecord(data[position..], position == 0, messageName);
                return position == 0 && data[0] != AlertContentType ? HelloParseStatus.NotTls : HelloParseStatus.Invalid;
            }

            if (available >= 2 && data[position + 1] != 3)
            {
                reason = $"record version major {data[position + 1]} is not 3";
                return position == 0 ? HelloParseStatus.NotTls : HelloParseStatus.Invalid;
            }

            var missing = bodyLength < 0 ? MessageHeaderLength - collected : MessageHeaderLength + bodyLength - collected;
            if (available < RecordHeaderLength)
            {
                return NeedMore(position + RecordHeaderLength + missing, out length, out reason);
            }

            var recordLength = (data[position + 3] << 8) | data[position + 4];
            if (recordLength == 0 || recordLength > MaxRecordLength)
            {
                reason = $"handshake record length {recordLength} is outside 1..{MaxRecordLength}";
                return HelloParseStatus.Invalid;
            }

            var fragmentStart = position + RecordHeaderLength;
            var fragmentAvailable = Math.Min(recordLength, data.Length - fragmentStart);
            var used = 0;
            while (collected < MessageHeaderLength && used < fragmentAvailable)
            {
                header = (header << 8) | data[fragmentStart + used];
                used++;
                collected++;
                if (collected == 1 && header != messageType)
                {
                    reason = $"first handshake message has type {header}, expected {messageType} ({messageName})";
                    return HelloParseStatus.Invalid;
                }
            }

            if (bodyLength < 0 && collected == MessageHeaderLength)
            {
                bodyLength = header & 0xFFFFFF;
                if (bodyLength > MaxMessageLength - MessageHeaderLength)
                {
                    reason = $"{messageName} of {bodyLength} bytes exceeds the {MaxMessageLength}-byte cap";
                    return HelloParseStatus.Invalid;
                }
            }

            if (bodyLength >= 0)
            {
                var take = Math.Min(MessageHeaderLength + bodyLength - collected, fragmentAvailable - used);
                collected += take;
                used += take;
                if (collected == MessageHeaderLength + bodyLength)
                {
                    length = fragmentStart + used;
                    contiguous = position == 0;
                    return HelloParseStatus.Complete;
                }
            }

            missing = bodyLength < 0 ? MessageHeaderLength - collected : MessageHeaderLength + bodyLength - collected;
            if (fragmentAvailable < recordLength)
            {
                var leftInRecord = recordLength - fragmentAvailable;
                var required = missing <= leftInRecord
                    ? fragmentStart + fragmentAvailable + missing
                    : fragmentStart + recordLength + RecordHeaderLength + (missing - leftInRecord);
                return NeedMore(required, out length, out reason);
            }

            position = fragmentStart + recordLength;
        }
    }

    private static HelloParseStatus NeedMore(int required, out int length, out string? reason)
    {
        if (required > MaxWireLength)
        {
            length = 0;
            reason = $"hello would span more than {MaxWireLength} bytes of records";
            return HelloParseStatus.Invalid;
        }

        length = required;
        reason = null;
        return HelloParseStatus.NeedMoreData;
    }

    private static string DescribeForeignRecord(ReadOnlySpan<byte> record, bool first, string messageName)
    {
        var type = record[0];
        if (type == AlertContentType && record.Length >= 7 && record[1] == 3)
        {
            return $"alert record (level {record[5]}, description {record[6]}) instead of {messageName}";
        }

        return first
            ? $"first byte 0x{type:x2} is not a TLS handshake record"
            : $"record of content type {type} before {messageName} was complete";
    }

    /// <summary>Copies the message body (header stripped) out of records already validated by <see cref="Locate"/>.</summary>
    private static void CopyBody(ReadOnlySpan<byte> data, Span<byte> body)
    {
        var position = 0;
        var skip = MessageHeaderLength;
        var written = 0;
        while (written < body.Length && position + RecordHeaderLength <= data.Length)
        {
            var recordLength = (data[position + 3] << 8) | data[position + 4];
            var fragmentStart = position + RecordHeaderLength;
            var fragment = data.Slice(fragmentStart, Math.Min(recordLength, data.Length - fragmentStart));
            var skipped = Math.Min(skip, fragment.Length);
            skip -= skipped;
            fragment = fragment[skipped..];
            var count = Math.Min(fragment.Length, body.Length - written);
            fragment[..count].CopyTo(body[written..]);
            written += count;
            position = fragmentStart + recordLength;
        }
    }
}
