using System.Buffers.Binary;
using System.Text;

namespace ProxyMcp.Engine.Exchanges;

/// <summary>
/// Previews one direction of a relayed WebSocket (RFC 6455): the tapped bytes are frames, so they are parsed, client
/// masks removed and permessage-deflate undone, and the preview lists the messages instead of showing frame bytes.
/// </summary>
public static class WebSocketPreview
{
    /// <summary>
    /// A summary line ("[websocket: N messages in B bytes of frames]"), then one line per message: text as sent,
    /// binary and control frames as bracketed markers. <paramref name="totalBytes"/> counts every frame byte relayed.
    /// </summary>
    public static string Create(ReadOnlySpan<byte> frames, long totalBytes)
    {
        var lines = new StringBuilder();
        using var reader = new MessageReader();
        var offset = 0;
        while (offset < frames.Length)
        {
            // Past the preview's length frames are only counted; nothing more is decoded.
            reader.Rendering = lines.Length <= BodyPreview.MaxChars;
            if (!FrameHeader.TryRead(frames[offset..], out var header))
            {
                // Not enough bytes for a header means the tap stopped here; anything else is not a frame stream.
                if (header.Invalid) lines.Append($"\n[not a websocket frame at byte {offset}]");
                break;
            }
            offset += header.Length;
            var payload = frames.Slice(offset, (int)Math.Min(header.PayloadLength, frames.Length - offset)).ToArray();
            offset += payload.Length;
            if (header.Mask is { } mask) Unmask(payload, mask);
            var whole = payload.Length == header.PayloadLength;
            if (reader.Accept(header, payload, whole) is { } line && reader.Rendering) lines.Append('\n').Append(line);
            if (!whole) break;
        }
        if (reader.Unfinished() is { } unfinished) lines.Append('\n').Append(unfinished);
        var seen = frames.Length == totalBytes ? $"{totalBytes}" : $"the first {frames.Length} of {totalBytes}";
        var count = reader.Messages == 1 ? "1 message" : $"{reader.Messages} messages";
        return BodyPreview.Cap($"[websocket: {count} in {seen} bytes of frames]" + lines);
    }

    private static void Unmask(byte[] payload, uint mask)
    {
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(key, mask);
        for (var i = 0; i < payload.Length; i++) payload[i] ^= key[i & 3];
    }

    /// <summary>Joins fragments into messages and renders each message or control frame as one line.</summary>
    private sealed class MessageReader : IDisposable
    {
        private readonly MemoryStream _message = new();
        private MessageInflater? _inflater;
        private int _opcode;
        private bool _compressed;
        private bool _undecodable;

        /// <summary>Complete data messages seen.</summary>
        public int Messages { get; private set; }

        /// <summary>False once the preview is long enough: messages are then counted, not decoded.</summary>
        public bool Rendering { get; set; } = true;

        /// <summary>The message whose last fragment was not seen (the tap stopped between fragments), if any.</summary>
        public string? Unfinished() => _opcode != 0 && Rendering ? Render(complete: false) : null;

        /// <summary>The line for a finished message or control frame; null while a message is still being assembled.</summary>
        public string? Accept(FrameHeader header, byte[] payload, bool wholeFrame)
        {
            switch (header.Opcode)
            {
                case 0x1 or 0x2:
                    _message.SetLength(0);
                    _opcode = header.Opcode;
                    _compressed = header.Compressed;
                    _undecodable = false;
                    goto case 0x0;
                case 0x0:
                    if (Rendering && _compressed)
                    {
                        _inflater ??= new MessageInflater();
                        _undecodable |= !_inflater.Inflate(payload, endOfMessage: header.Final && wholeFrame, _message);
                    }
                    else if (Rendering) _message.Write(payload);
                    if (!header.Final || !wholeFrame) return null;
                    Messages++;
                    var line = Rendering ? Render(complete: true) : null;
                    _opcode = 0;
                    return line;
                case 0x8:
                    return Close(payload, wholeFrame);
                case 0x9:
                    return $"[ping, {payload.Length} bytes]";
                case 0xA:
                    return $"[pong, {payload.Length} bytes]";
                default:
                    return $"[opcode {header.Opcode} frame, {header.PayloadLength} bytes]";
            }
        }

        private string Render(bool complete)
        {
            var bytes = _message.GetBuffer().AsSpan(0, (int)_message.Length);
            // The inflater stops at its output cap, so a compressed message that long may be longer still.
            complete &= !_compressed || bytes.Length < MessageInflater.MaxOutputBytes;
            var undecodable = _undecodable ? ", compressed and not decodable" : "";
            if (_opcode == 0x2 || undecodable.Length > 0)
                return $"[{(_opcode == 0x2 ? "binary" : "text")} message, {(complete ? "" : "at least ")}{bytes.Length} bytes{undecodable}]";
            // The tap may stop mid-character; the replacement character marks that, and "..." that more followed.
            return Encoding.UTF8.GetString(bytes) + (complete ? "" : "...");
        }

        public void Dispose() => _inflater?.Dispose();

        private static string Close(byte[] payload, bool wholeFrame)
        {
            if (payload.Length < 2 || !wholeFrame) return "[close]";
            var reason = Encoding.UTF8.GetString(payload, 2, payload.Length - 2);
            return $"[close {BinaryPrimitives.ReadUInt16BigEndian(payload)}{(reason.Length == 0 ? "" : " " + reason)}]";
        }
    }

    private readonly record struct FrameHeader(int Length, bool Final, bool Compressed, int Opcode, long PayloadLength, uint? Mask, bool Invalid)
    {
        public static bool TryRead(ReadOnlySpan<byte> bytes, out FrameHeader header)
        {
            header = default;
            if (bytes.Length < 2) return false;
            var masked = (bytes[1] & 0x80) != 0;
            var length = (long)(bytes[1] & 0x7F);
            var size = 2 + (length == 126 ? 2 : length == 127 ? 8 : 0) + (masked ? 4 : 0);
            if (bytes.Length < size) return false;
            var at = 2;
            if (length == 126) { length = BinaryPrimitives.ReadUInt16BigEndian(bytes[at..]); at += 2; }
            else if (length == 127) { length = BinaryPrimitives.ReadInt64BigEndian(bytes[at..]); at += 8; }
            var opcode = bytes[0] & 0x0F;
            // RSV2/RSV3 belong to no extension we relay, control frames are short, and lengths fit in 63 bits.
            if ((bytes[0] & 0x30) != 0 || length < 0 || opcode >= 0x8 && length > 125)
            {
                header = header with { Invalid = true };
                return false;
            }
            uint? mask = masked ? BinaryPrimitives.ReadUInt32BigEndian(bytes[at..]) : null;
            header = new FrameHeader(size, (bytes[0] & 0x80) != 0, (bytes[0] & 0x40) != 0, opcode, length, mask, Invalid: false);
            return true;
        }
    }
}
