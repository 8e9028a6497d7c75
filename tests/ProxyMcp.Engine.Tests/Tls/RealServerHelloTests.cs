using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ProxyMcp.Engine.Tls.Fingerprints;
using Xunit.Abstractions;

namespace ProxyMcp.Engine.Tests.Tls;

/// <summary>
/// JA3S of ServerHellos sent by a real <c>openssl s_server</c>, recorded under a .NET <see cref="SslStream"/> client and
/// checked against tshark and against what SslStream itself negotiated. Passes with a note when openssl is missing.
/// </summary>
public sealed class RealServerHelloTests(ITestOutputHelper output)
{
    public static TheoryData<string, string[], bool> Servers() => new()
    {
        { "s_server TLS 1.3", [], false },
        { "s_server TLS 1.2 ALPN h2", ["-tls1_2", "-alpn", "h2"], true },
    };

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Ja3s_version_cipher_and_alpn_match_the_handshake_and_tshark(string name, string[] options, bool tls12)
    {
        if (ExternalTool.Find("openssl") is not { } openssl)
        {
            output.WriteLine($"SKIPPED {name}: openssl is not installed");
            return;
        }

        var directory = Directory.CreateTempSubdirectory("proxymcp-ja3s-");
        try
        {
            var (certificate, key) = WriteSelfSignedPem(directory.FullName);
            string[] arguments = ["s_server", "-accept", "127.0.0.1:0", "-cert", certificate, "-key", key, "-naccept", "1", .. options];
            using var server = ExternalTool.Start(openssl, arguments);
            try
            {
                var port = await ReadAcceptPortAsync(server);
                var (received, ssl) = await HandshakeAsync(port, tls12);

                var result = ServerHelloParser.Parse(received);
                Assert.True(result.IsComplete, result.ToString());
                var segmented = ServerHelloParser.Parse(SegmentedSequence.Random(received, new Random(5), 11));
                Assert.Equal(result.Hello with { ExtensionTypes = segmented.Hello!.ExtensionTypes }, segmented.Hello);

                var hello = result.Hello;
                var ja3s = Ja3s.Compute(hello);
                output.WriteLine($"{name}: {hello.Protocol} {hello.CipherName} alpn={hello.Alpn}");
                output.WriteLine($"  ours   JA3S {ja3s.Hash} {ja3s.Text}");

                Assert.Equal(tls12 ? "TLSv1.2" : "TLSv1.3", hello.Protocol);
                Assert.Equal(tls12 ? SslProtocols.Tls12 : SslProtocols.Tls13, ssl.Protocol);
                Assert.Equal(ssl.CipherSuite.ToString(), hello.CipherName);
                Assert.Equal(tls12 ? "h2" : null, hello.Alpn);
                Assert.Equal(tls12 ? "h2" : "", ssl.Alpn);

                if (Tshark.Path is null)
                {
                    output.WriteLine("  tshark is not installed: JA3S not cross-checked");
                    return;
                }

                var flight = received[..TlsRecordsForTests.WholeRecordsLength(received)];
                var rows = await Tshark.ReadFieldsAsync(
                    PcapFile.Build([new PcapPacket(flight, 443, 40100)]), ["tls.handshake.ja3s_full", "tls.handshake.ja3s"]);
                var row = Assert.Single(rows.Values);
                output.WriteLine($"  tshark JA3S {row[1]} {row[0]}");
                Assert.Equal(row[0], ja3s.Text);
                Assert.Equal(row[1], ja3s.Hash);
            }
            finally
            {
                await ExternalTool.StopAsync(server);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static (string Certificate, string Key) WriteSelfSignedPem(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=server.test", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        var certificatePath = Path.Combine(directory, "cert.pem");
        var keyPath = Path.Combine(directory, "key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    /// <summary>s_server prints "ACCEPT 127.0.0.1:PORT" once it listens.</summary>
    private static async Task<int> ReadAcceptPortAsync(System.Diagnostics.Process server)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await server.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.StartsWith("ACCEPT ", StringComparison.Ordinal))
            {
                return int.Parse(line[(line.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("s_server exited: " + await server.StandardError.ReadToEndAsync(cts.Token));
    }

    private static async Task<(byte[] Received, (SslProtocols Protocol, TlsCipherSuite CipherSuite, string Alpn) Ssl)> HandshakeAsync(
        int port, bool tls12)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        var recorder = new RecordingStream(tcp.GetStream());
        await using var ssl = new SslStream(recorder);
        await ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = "server.test",
                ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                EnabledSslProtocols = tls12 ? SslProtocols.Tls12 | SslProtocols.Tls13 : SslProtocols.None,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
            cts.Token);
        return (recorder.Received, (ssl.SslProtocol, ssl.NegotiatedCipherSuite, ssl.NegotiatedApplicationProtocol.ToString()));
    }
}
