using System.Text;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Engine.Tests.Exchanges;

/// <summary>Frame streams built byte by byte (RFC 6455 5.2), for the cases a live echo does not produce.</summary>
public sealed class WebSocketPreviewTests
{
    [Fact]
    public void Fragments_are_joined_around_an_interleaved_ping_and_masks_removed()
    {
        var frames = Concat(
            Frame(0x1, "hel"u8, final: false, masked: true),
            Frame(0x9, "p"u8, masked: true),
            Frame(0x0, "lo"u8, masked: true),
            Frame(0xA, ""u8));
        Assert.Equal($"[websocket: 1 message in {frames.Length} bytes of frames]\n[ping, 1 bytes]\nhello\n[pong, 0 bytes]",
            WebSocketPreview.Create(frames, frames.Length));
    }

    [Fact]
    public void A_message_cut_by_the_tap_is_shown_as_far_as_it_was_seen()
    {
        var frames = Concat(Frame(0x1, "first"u8), Frame(0x1, Encoding.UTF8.GetBytes(new string('x', 300)), masked: true));
        var prefix = frames.AsSpan(0, frames.Length - 100);
        Assert.Equal($"[websocket: 1 message in the first {prefix.Length} of {frames.Length} bytes of frames]\nfirst\n{new string('x', 200)}...",
            WebSocketPreview.Create(prefix, frames.Length));
    }

    [Fact]
    public void A_message_whose_last_fragment_was_not_seen_is_marked_unfinished()
    {
        var frames = Frame(0x2, new byte[] { 0, 1, 2 }, final: false);
        Assert.Equal($"[websocket: 0 messages in the first {frames.Length} of 1000 bytes of frames]\n[binary message, at least 3 bytes]",
            WebSocketPreview.Create(frames, 1000));
    }

    [Fact]
    public void Undecodable_compressed_data_is_said_so_rather_than_shown()
    {
        var frames = Concat(Frame(0x1, new byte[] { 0xFF, 0xFF, 0xFF }, rsv1: true), Frame(0x8, new byte[] { 0x03, 0xE8 }));
        Assert.Equal($"[websocket: 1 message in {frames.Length} bytes of frames]\n[text message, 0 bytes, compressed and not decodable]\n[close 1000]",
            WebSocketPreview.Create(frames, frames.Length));
    }

    [Fact]
    public void Bytes_that_are_not_frames_are_not_rendered_as_text()
    {
        var bytes = "SSH-2.0-OpenSSH_9.6\r\n"u8.ToArray();
        var preview = WebSocketPreview.Create(bytes, bytes.Length);
        Assert.StartsWith($"[websocket: 0 messages in {bytes.Length} bytes of frames]\n[", preview);
        Assert.DoesNotContain("OpenSSH", preview);
    }

    [Fact]
    public void Nothing_relayed_is_said_plainly() =>
        Assert.Equal("[websocket: 0 messages in 0 bytes of frames]", WebSocketPreview.Create([], 0));

    [Fact]
    public void Long_streams_are_capped_but_every_message_is_counted()
    {
        var message = Frame(0x1, Encoding.UTF8.GetBytes(new string('y', 1000)), masked: true);
        var frames = Concat(Enumerable.Repeat(message, 20).ToArray());
        var preview = WebSocketPreview.Create(frames, frames.Length);
        Assert.StartsWith($"[websocket: 20 messages in {frames.Length} bytes of frames]\n", preview);
        Assert.Equal(BodyPreview.MaxChars + 3, preview.Length);
    }

    private static byte[] Frame(int opcode, ReadOnlySpan<byte> payload, bool final = true, bool masked = false, bool rsv1 = false)
    {
        var frame = new List<byte> { (byte)((final ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode) };
        var maskBit = masked ? 0x80 : 0;
        if (payload.Length < 126) frame.Add((byte)(maskBit | payload.Length));
        else
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        byte[] key = [0x37, 0xFA, 0x21, 0x3D];
        if (masked) frame.AddRange(key);
        for (var i = 0; i < payload.Length; i++) frame.Add(masked ? (byte)(payload[i] ^ key[i % 4]) : payload[i]);
        return [.. frame];
    }

    private static byte[] Concat(params byte[][] frames) => frames.SelectMany(f => f).ToArray();
}
