using System.Buffers.Binary;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using ProxyMcp.Engine.Tests.Tls;

namespace ProxyMcp.Engine.Tests.Proxy;

/// <summary>
/// What the proxy writes to an intercepted TLS client, record by record: a large HTTP/2 download must leave in full-size
/// TLS records (Kestrel's own TLS output sealed every 4 KiB block as its own record and sent it on its own).
/// </summary>
public sealed class TlsRecordSizeTests : OriginBehindProxy
{
    private const byte ApplicationData = 23;
    private const int BodyBytes = 1024 * 1024;

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public async Task A_large_download_leaves_in_full_size_records(int httpMajor)
    {
        RecordingStream? wire = null;
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                wire = new RecordingStream(await ConnectThroughProxyAsync(context.DnsEndPoint, cancellationToken));
                return wire;
            },
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = RunningProxy.TrustOnly(Proxy.Authority.Certificate) },
        };
        using var client = new HttpClient(handler)
        {
            DefaultRequestVersion = new Version(httpMajor, httpMajor == 1 ? 1 : 0),
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };

        var body = await client.GetByteArrayAsync($"{Origin.HttpsUrl}/bytes?size={BodyBytes}&length=1");

        Assert.Equal(BodyBytes, body.Length);
        var records = ApplicationDataRecordLengths(wire!.Received);
        var carrying = records.Where(length => length > 1024).ToList();
        // 1 MiB in 16 KiB records is 64 of them; sealed per 4 KiB block it was 256 plus a small one per frame.
        Assert.True(carrying.Max() > 8 * 1024, $"largest record {carrying.Max()} bytes");
        Assert.True(records.Count < 160, $"{records.Count} application-data records for 1 MiB");
    }

    private async Task<Stream> ConnectThroughProxyAsync(DnsEndPoint target, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(Proxy.EndPoint, cancellationToken);
        var stream = new NetworkStream(socket, ownsSocket: true);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {target.Host}:{target.Port} HTTP/1.1\r\nHost: {target.Host}:{target.Port}\r\n\r\n"), cancellationToken);
        // Read the proxy's answer byte by byte so not one byte of the TLS handshake that follows is taken from SslStream.
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0) throw new IOException("proxy closed during CONNECT");
            head.Append((char)one[0]);
        }
        Assert.StartsWith("HTTP/1.1 200", head.ToString());
        return stream;
    }

    private static List<int> ApplicationDataRecordLengths(byte[] received)
    {
        var lengths = new List<int>();
        var offset = 0;
        while (offset + 5 <= received.Length)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(received.AsSpan(offset + 3, 2));
            if (received[offset] == ApplicationData) lengths.Add(length);
            offset += 5 + length;
        }
        return lengths;
    }
}
