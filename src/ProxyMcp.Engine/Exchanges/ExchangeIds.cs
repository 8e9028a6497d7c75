namespace ProxyMcp.Engine.Exchanges;

/// <summary>Random UUID v4 strings for exchange ids (the shape proxy-mcp clients know).</summary>
public static class ExchangeIds
{
    /// <summary>
    /// A new id from the thread's fast generator. Guid.NewGuid reads the kernel's random source (a system call per id on
    /// Linux); ids are labels, not secrets, so a statistically random v4 UUID is enough and keeps the hot path in user space.
    /// </summary>
    public static string NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);
        // Guid's byte layout stores the third group little-endian: its high nibble (the version) is in byte 7.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString();
    }
}
