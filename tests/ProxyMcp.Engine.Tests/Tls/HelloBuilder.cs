using System.Buffers.Binary;
using System.Text;

namespace ProxyMcp.Engine.Tests.Tls;

/// <summary>Builds ClientHello and ServerHello handshake messages and TLS records byte by byte for the parser tests.</summary>
internal sealed class ClientHelloBuilder
{
    public ushort LegacyVersion { get; set; } = 0x0303;

    public List<ushort> Ciphers { get; } = [];

    public List<(ushort Type, byte[] Data)> Extensions { get; } = [];

    /// <summary>Leaves out the extensions block entirely (SSL 3.0 / early TLS hellos).</summary>
    public bool WithoutExtensionBlock { get; set; }

    public ClientHelloBuilder Cipher(params ushort[] values)
    {
        Ciphers.AddRange(values);
        return this;
    }

    public ClientHelloBuilder Extension(ushort type, byte[]? data = null)
    {
        Extensions.Add((type, data ?? []));
        return this;
    }

    public ClientHelloBuilder ServerName(string host)
    {
        var name = Encoding.ASCII.GetBytes(host);
        var entry = Concat([0], U16(name.Length), name);
        return Extension(0x0000, Concat(U16(entry.Length), entry));
    }

    public ClientHelloBuilder Alpn(params string[] names) =>
        AlpnRaw(names.Select(Encoding.ASCII.GetBytes).ToArray());

    public ClientHelloBuilder AlpnRaw(params byte[][] names)
    {
        var list = Concat(names.Select(n => Concat([(byte)n.Length], n)).ToArray());
        return Extension(0x0010, Concat(U16(list.Length), list));
    }

    public ClientHelloBuilder Groups(params ushort[] values) => Extension(0x000a, Vector16(values));

    public ClientHelloBuilder PointFormats(params byte[] values) => Extension(0x000b, Concat([(byte)values.Length], values));

    public ClientHelloBuilder SignatureAlgorithms(params ushort[] values) => Extension(0x000d, Vector16(values));

    public ClientHelloBuilder SupportedVersions(params ushort[] values)
    {
        var list = values.SelectMany(v => U16(v)).ToArray();
        return Extension(0x002b, Concat([(byte)list.Length], list));
    }

    /// <summary>The handshake message: type 1, 24-bit length, body.</summary>
    public byte[] BuildMessage()
    {
        var body = new List<byte>();
        body.AddRange(U16(LegacyVersion));
        body.AddRange(Enumerable.Range(0, 32).Select(i => (byte)i)); // random
        body.Add(32);
        body.AddRange(Enumerable.Range(0, 32).Select(i => (byte)(0xA0 + i))); // session id
        body.AddRange(Vector16(Ciphers.ToArray()));
        body.AddRange(new byte[] { 1, 0 }); // compression: null
        if (!WithoutExtensionBlock)
        {
            var extensions = Concat(Extensions.Select(e => Concat(U16(e.Type), U16(e.Data.Length), e.Data)).ToArray());
            body.AddRange(U16(extensions.Length));
            body.AddRange(extensions);
        }

        return HandshakeMessage(1, body.ToArray());
    }

    /// <summary>The message wrapped in handshake records of at most <paramref name="maxFragment"/> bytes each.</summary>
    public byte[] BuildRecords(int maxFragment = 16384) => TlsRecordsForTests.Wrap(BuildMessage(), maxFragment);

    public static byte[] HandshakeMessage(byte type, byte[] body) =>
        Concat([type, (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length], body);

    public static byte[] U16(int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)value);
        return bytes;
    }

    public static byte[] Vector16(ushort[] values)
    {
        var list = values.SelectMany(v => U16(v)).ToArray();
        return Concat(U16(list.Length), list);
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>
    /// The ClientHello behind the worked example of FoxIO's JA4.md: its 15 ciphers, 16 extensions and 8 signature
    /// algorithms in the document's wire order, with GREASE added (which JA4 must ignore) and SNI example.com.
    /// </summary>
    public static ClientHelloBuilder SpecExample()
    {
        var b = new ClientHelloBuilder();
        b.Cipher(0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
            0x009d, 0x002f, 0x0035);
        b.Extension(0x2a2a); // GREASE
        b.Extension(0x001b, [2, 0, 2]); // compress_certificate: brotli
        b.ServerName("example.com");
        b.Extension(0x0033, Concat(U16(6), U16(0x001d), U16(2), [1, 2])); // key_share (content not parsed)
        b.Alpn("h2", "http/1.1");
        b.Extension(0x4469, Concat(U16(3), [2, (byte)'h', (byte)'2'])); // application_settings
        b.Extension(0x0017); // extended_master_secret
        b.Extension(0x002d, [1, 1]); // psk_key_exchange_modes
        b.SignatureAlgorithms(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601);
        b.Extension(0x0005, [1, 0, 0, 0, 0]); // status_request
        b.Extension(0x0023); // session_ticket
        b.Extension(0x0012); // signed_certificate_timestamp
        b.SupportedVersions(0x6a6a, 0x0304, 0x0303);
        b.Extension(0xff01, [0]); // renegotiation_info
        b.PointFormats(0);
        b.Groups(0x8a8a, 0x001d, 0x0017, 0x0018);
        b.Extension(0x0015, new byte[7]); // padding
        b.Extension(0x1a1a, [0]); // GREASE
        return b;
    }
}

/// <summary>Builds a ServerHello handshake message.</summary>
internal sealed class ServerHelloBuilder
{
    public ushort LegacyVersion { get; set; } = 0x0303;

    public ushort CipherSuite { get; set; } = 0x1301;

    public byte[] Random { get; set; } = Enumerable.Range(0, 32).Select(i => (byte)(i * 3)).ToArray();

    public List<(ushort Type, byte[] Data)> Extensions { get; } = [];

    public ServerHelloBuilder Extension(ushort type, byte[]? data = null)
    {
        Extensions.Add((type, data ?? []));
        return this;
    }

    public ServerHelloBuilder SelectedVersion(ushort version) => Extension(0x002b, ClientHelloBuilder.U16(version));

    public ServerHelloBuilder Alpn(string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name);
        var list = ClientHelloBuilder.Concat([(byte)bytes.Length], bytes);
        return Extension(0x0010, ClientHelloBuilder.Concat(ClientHelloBuilder.U16(list.Length), list));
    }

    public byte[] BuildMessage()
    {
        var extensions = ClientHelloBuilder.Concat(
            Extensions.Select(e => ClientHelloBuilder.Concat(ClientHelloBuilder.U16(e.Type), ClientHelloBuilder.U16(e.Data.Length), e.Data)).ToArray());
        var body = ClientHelloBuilder.Concat(
            ClientHelloBuilder.U16(LegacyVersion),
            Random,
            [32],
            Enumerable.Range(0, 32).Select(i => (byte)(0xA0 + i)).ToArray(),
            ClientHelloBuilder.U16(CipherSuite),
            [0],
            ClientHelloBuilder.U16(extensions.Length),
            extensions);
        return ClientHelloBuilder.HandshakeMessage(2, body);
    }

    public byte[] BuildRecords(int maxFragment = 16384) => TlsRecordsForTests.Wrap(BuildMessage(), maxFragment);

    /// <summary>A typical TLS 1.3 ServerHello: TLS_AES_128_GCM_SHA256, supported_versions then key_share.</summary>
    public static ServerHelloBuilder Tls13() =>
        new ServerHelloBuilder { CipherSuite = 0x1301 }
            .SelectedVersion(0x0304)
            .Extension(0x0033, ClientHelloBuilder.Concat(ClientHelloBuilder.U16(0x001d), ClientHelloBuilder.U16(32), new byte[32]));
}

/// <summary>Record-layer helpers for tests.</summary>
internal static class TlsRecordsForTests
{
    public static byte[] Wrap(byte[] payload, int maxFragment = 16384, byte contentType = 22, ushort version = 0x0301)
    {
        var output = new List<byte>();
        for (var offset = 0; offset < payload.Length; offset += maxFragment)
        {
            var length = Math.Min(maxFragment, payload.Length - offset);
            output.Add(contentType);
            output.AddRange(ClientHelloBuilder.U16(version));
            output.AddRange(ClientHelloBuilder.U16(length));
            output.AddRange(payload.AsSpan(offset, length).ToArray());
        }

        return output.ToArray();
    }

    /// <summary>Length of the longest prefix made of whole records (what a packet capture of the flight should hold).</summary>
    public static int WholeRecordsLength(ReadOnlySpan<byte> data)
    {
        var position = 0;
        while (position + 5 <= data.Length)
        {
            var end = position + 5 + BinaryPrimitives.ReadUInt16BigEndian(data.Slice(position + 3, 2));
            if (end > data.Length)
            {
                break;
            }

            position = end;
        }

        return position;
    }
}
