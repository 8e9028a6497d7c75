using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace ProxyMcp.Interceptors.Linking;

/// <summary>
/// Reads Linux's /proc/net/tcp and /proc/net/tcp6 tables. Addresses are the kernel's in-memory words printed as hex
/// ("0100007F" is 127.0.0.1 on a little-endian host); ports are plain hex. Columns:
/// <c>sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …</c>
/// </summary>
internal static class ProcNetTcp
{
    /// <summary>Inodes of the sockets whose local end is <paramref name="localEndPoint"/> (0 — a closed socket in TIME_WAIT — is skipped).</summary>
    public static IEnumerable<long> FindInodes(IEnumerable<string> lines, IPEndPoint localEndPoint)
    {
        var wanted = Normalize(localEndPoint);
        foreach (var line in lines)
        {
            if (!TryParseLine(line, out var local, out var inode) || inode == 0) continue;
            if (local.Port == wanted.Port && local.Address.Equals(wanted.Address)) yield return inode;
        }
    }

    public static bool TryParseLine(string line, out IPEndPoint local, out long inode)
    {
        local = null!;
        inode = 0;
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // Header line starts with "sl"; data lines with "N:".
        if (fields.Length < 10 || !fields[0].EndsWith(':')) return false;
        if (!TryParseEndPoint(fields[1], out var endPoint)) return false;
        if (!long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out inode)) return false;
        local = Normalize(endPoint);
        return true;
    }

    /// <summary>Parses "0100007F:C350" (IPv4) or the 32-hex-digit IPv6 form.</summary>
    public static bool TryParseEndPoint(string text, out IPEndPoint endPoint)
    {
        endPoint = null!;
        var colon = text.IndexOf(':');
        if (colon < 0) return false;
        var addressHex = text.AsSpan(0, colon);
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var port)) return false;
        if (addressHex.Length != 8 && addressHex.Length != 32) return false;
        var bytes = new byte[addressHex.Length / 2];
        for (var word = 0; word < addressHex.Length / 8; word++)
        {
            if (!uint.TryParse(addressHex.Slice(word * 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)) return false;
            // The kernel printed a network-order word as a host-order integer: writing it back in host order restores the bytes.
            if (BitConverter.IsLittleEndian) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(word * 4), value);
            else BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(word * 4), value);
        }
        endPoint = new IPEndPoint(new IPAddress(bytes), port);
        return true;
    }

    /// <summary>IPv4-mapped IPv6 addresses (a dual-mode listener's view of an IPv4 client) compare as IPv4.</summary>
    public static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
