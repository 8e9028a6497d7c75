using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// A complete body to store with an exchange: bytes in memory (HAR import, replay) or the engine's captured body
/// (inline or spooled). <see cref="Decoded"/> marks bytes that are already free of their Content-Encoding, as HAR
/// content is, so readers do not try to decompress them again.
/// </summary>
public sealed class BodyInput
{
    private BodyInput(byte[]? bytes, CapturedBody? captured, long length, bool truncated, bool decoded)
    {
        Bytes = bytes;
        Captured = captured;
        Length = length;
        Truncated = truncated;
        Decoded = decoded;
    }

    public byte[]? Bytes { get; }
    public CapturedBody? Captured { get; }
    public long Length { get; }
    public bool Truncated { get; }
    public bool Decoded { get; }

    public static BodyInput FromBytes(byte[] bytes, bool decoded = false, bool truncated = false) =>
        new(bytes, null, bytes.Length, truncated, decoded);

    public static BodyInput? FromCaptured(CapturedBody? body) =>
        body is null ? null : new BodyInput(null, body, body.Length, body.Truncated, decoded: false);

    public Stream OpenRead() => Bytes is not null ? new MemoryStream(Bytes, writable: false) : Captured!.OpenRead();
}
