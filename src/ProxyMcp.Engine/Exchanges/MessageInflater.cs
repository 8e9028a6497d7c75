using System.IO.Compression;

namespace ProxyMcp.Engine.Exchanges;

/// <summary>
/// Undoes permessage-deflate (RFC 7692) for one direction of a WebSocket. One raw inflater serves every message,
/// because with context takeover (the default) a message may refer back into earlier ones; without it, keeping the
/// window is harmless.
/// </summary>
internal sealed class MessageInflater : IDisposable
{
    /// <summary>Output kept per message; enough for any preview, and a bound on a decompression bomb.</summary>
    public const int MaxOutputBytes = BodyPreview.MaxChars * 4 + 4;

    /// <summary>RFC 7692 7.2.2: the sender strips this empty stored block from each message's end.</summary>
    private static readonly byte[] MessageTail = [0x00, 0x00, 0xFF, 0xFF];

    private readonly FeedStream _input = new();
    private readonly DeflateStream _inflater;
    private bool _stopped;

    public MessageInflater() => _inflater = new DeflateStream(_input, CompressionMode.Decompress);

    /// <summary>
    /// Inflates one frame's payload into <paramref name="output"/>; false when it cannot be decoded (bad data, or an
    /// earlier message was not inflated to its end, so the shared window is gone).
    /// </summary>
    public bool Inflate(byte[] payload, bool endOfMessage, MemoryStream output)
    {
        if (_stopped) return false;
        _input.Feed(payload);
        if (endOfMessage) _input.Feed(MessageTail);
        var buffer = new byte[16 * 1024];
        try
        {
            // DeflateStream returns 0 when its input runs dry and reads on from the same state when fed again.
            int read;
            while ((read = _inflater.Read(buffer)) > 0)
            {
                var room = MaxOutputBytes - (int)output.Length;
                output.Write(buffer, 0, Math.Min(read, room));
                if (read >= room)
                {
                    // Enough for the preview; the rest of the window is not followed, so later messages stay undecoded.
                    _stopped = true;
                    return true;
                }
            }
            return true;
        }
        catch (InvalidDataException)
        {
            _stopped = true;
            return false;
        }
    }

    public void Dispose() => _inflater.Dispose();

    /// <summary>A stream whose bytes arrive by <see cref="Feed"/>; reading past them returns 0 instead of ending it.</summary>
    private sealed class FeedStream : Forwarding.ReadOnlyStream
    {
        private byte[] _bytes = [];
        private int _position;

        public int Remaining => _bytes.Length - _position;

        public void Feed(byte[] bytes)
        {
            _bytes = [.. _bytes.AsSpan(_position), .. bytes];
            _position = 0;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var take = Math.Min(count, Remaining);
            _bytes.AsSpan(_position, take).CopyTo(buffer.AsSpan(offset));
            _position += take;
            if (_position == _bytes.Length) (_bytes, _position) = ([], 0);
            return take;
        }

    }
}
