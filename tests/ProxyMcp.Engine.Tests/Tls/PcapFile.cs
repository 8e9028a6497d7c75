using System.Buffers.Binary;

namespace ProxyMcp.Engine.Tests.Tls;

/// <summary>One TCP payload to put on the wire of a synthetic capture.</summary>
internal sealed record PcapPacket(byte[] Payload, ushort SourcePort, ushort DestinationPort);

/// <summary>
/// Writes a classic libpcap file (Ethernet link type) holding one IPv4/TCP packet per payload, so that tshark dissects
/// bytes we captured on a socket. TCP checksums are left zero (tshark does not verify them by default).
/// </summary>
internal static class PcapFile
{
    private const int EthernetLength = 14;
    private const int Ipv4Length = 20;
    private const int TcpLength = 20;

    public static byte[] Build(IReadOnlyList<PcapPacket> packets)
    {
        using var output = new MemoryStream();
        Span<byte> global = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(global, 0xa1b2c3d4);
        BinaryPrimitives.WriteUInt16LittleEndian(global[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(global[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(global[16..], 262144); // snaplen
        BinaryPrimitives.WriteUInt32LittleEndian(global[20..], 1); // LINKTYPE_ETHERNET
        output.Write(global);

        Span<byte> header = stackalloc byte[16];
        for (var i = 0; i < packets.Count; i++)
        {
            var frame = Frame(packets[i]);
            header.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(header, 1_700_000_000u + (uint)i);
            BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)frame.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)frame.Length);
            output.Write(header);
            output.Write(frame);
        }

        return output.ToArray();
    }

    private static byte[] Frame(PcapPacket packet)
    {
        var ipLength = Ipv4Length + TcpLength + packet.Payload.Length;
        if (ipLength > ushort.MaxValue)
        {
            throw new ArgumentException("payload too large for one IPv4 packet", nameof(packet));
        }

        var frame = new byte[EthernetLength + ipLength];
        var span = frame.AsSpan();
        span[..6].Fill(0x02); // destination MAC (locally administered)
        span[6..12].Fill(0x04); // source MAC
        BinaryPrimitives.WriteUInt16BigEndian(span[12..], 0x0800);

        var ip = span.Slice(EthernetLength, Ipv4Length);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000); // don't fragment
        ip[8] = 64; // TTL
        ip[9] = 6; // TCP
        var clientToServer = packet.DestinationPort == 443;
        byte[] client = [10, 0, 0, 1], server = [10, 0, 0, 2];
        (clientToServer ? client : server).CopyTo(ip[12..]);
        (clientToServer ? server : client).CopyTo(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Ipv4Checksum(ip));

        var tcp = span.Slice(EthernetLength + Ipv4Length, TcpLength);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, packet.SourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], packet.DestinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], 1); // sequence
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], 1); // acknowledgement
        tcp[12] = 5 << 4; // data offset: 5 words
        tcp[13] = 0x18; // PSH, ACK
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535); // window

        packet.Payload.CopyTo(span[(EthernetLength + Ipv4Length + TcpLength)..]);
        return frame;
    }

    private static ushort Ipv4Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (var i = 0; i < header.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        }

        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
