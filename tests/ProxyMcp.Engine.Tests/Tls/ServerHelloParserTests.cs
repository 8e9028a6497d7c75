using System.Security.Cryptography;
using System.Text;
using ProxyMcp.Engine.Tls.Fingerprints;

namespace ProxyMcp.Engine.Tests.Tls;

public sealed class ServerHelloParserTests
{
    [Fact]
    public void Parses_a_tls13_server_hello_and_names_version_and_cipher()
    {
        var records = ServerHelloBuilder.Tls13().BuildRecords();

        var result = ServerHelloParser.Parse(records);

        Assert.True(result.IsComplete, result.ToString());
        var hello = result.Hello;
        Assert.Equal(0x0303, hello.LegacyVersion);
        Assert.Equal((ushort?)0x0304, hello.SelectedVersion);
        Assert.Equal(0x0304, hello.NegotiatedVersion);
        Assert.Equal("TLSv1.3", hello.Protocol);
        Assert.Equal("TLS_AES_128_GCM_SHA256", hello.CipherName);
        Assert.Equal(new ushort[] { 0x002b, 0x0033 }, hello.ExtensionTypes);
        Assert.False(hello.IsHelloRetryRequest);
    }

    [Fact]
    public void Ja3s_uses_the_legacy_version_cipher_and_extensions_in_wire_order()
    {
        var hello = ServerHelloParser.Parse(ServerHelloBuilder.Tls13().BuildRecords()).Hello!;

        var ja3s = Ja3s.Compute(hello);

        Assert.Equal("771,4865,43-51", ja3s.Text);
        Assert.Equal(Md5("771,4865,43-51"), ja3s.Hash);
    }

    [Fact]
    public void Ja3s_without_extensions_ends_with_an_empty_field()
    {
        var hello = new ServerHelloBuilder { LegacyVersion = 0x0301, CipherSuite = 0x002f };

        var ja3s = Ja3s.Compute(ServerHelloParser.Parse(hello.BuildRecords()).Hello!);

        Assert.Equal("769,47,", ja3s.Text);
    }

    [Fact]
    public void Tls12_server_hello_reports_alpn_and_the_iana_cipher_name()
    {
        var builder = new ServerHelloBuilder { CipherSuite = 0xc02f }.Extension(0xff01, [0]).Alpn("h2").Extension(0x000b, [1, 0]);

        var hello = ServerHelloParser.Parse(builder.BuildRecords()).Hello!;

        Assert.Null(hello.SelectedVersion);
        Assert.Equal("TLSv1.2", hello.Protocol);
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", hello.CipherName);
        Assert.Equal("h2", hello.Alpn);
        Assert.Equal("771,49199,65281-16-11", Ja3s.Compute(hello).Text);
    }

    [Fact]
    public void Recognises_a_hello_retry_request()
    {
        var builder = ServerHelloBuilder.Tls13();
        builder.Random = Convert.FromHexString("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C");

        Assert.True(ServerHelloParser.Parse(builder.BuildRecords()).Hello!.IsHelloRetryRequest);
    }

    [Fact]
    public void Completes_when_the_rest_of_the_flight_shares_or_follows_the_record()
    {
        var serverHello = ServerHelloBuilder.Tls13().BuildMessage();
        var certificate = ClientHelloBuilder.HandshakeMessage(11, new byte[300]);
        var sameRecord = TlsRecordsForTests.Wrap(ClientHelloBuilder.Concat(serverHello, certificate));

        var result = ServerHelloParser.Parse(sameRecord.AsSpan(0, 5 + serverHello.Length + 10));

        Assert.True(result.IsComplete, result.ToString());
        Assert.Equal(5 + serverHello.Length, result.Length);
    }

    [Fact]
    public void Every_prefix_needs_more_data_and_segments_do_not_matter()
    {
        var random = new Random(99);
        var records = ServerHelloBuilder.Tls13().BuildRecords(17);
        var expected = ServerHelloParser.Parse(records).Hello!;

        for (var length = 0; length < records.Length; length++)
        {
            var result = ServerHelloParser.Parse(records.AsSpan(0, length));
            Assert.Equal(HelloParseStatus.NeedMoreData, result.Status);
            Assert.InRange(result.Length, length + 1, records.Length);
        }

        for (var i = 0; i < 100; i++)
        {
            var hello = ServerHelloParser.Parse(SegmentedSequence.Random(records, random, 9)).Hello!;
            Assert.Equal(expected.ExtensionTypes.ToArray(), hello.ExtensionTypes.ToArray());
            Assert.Equal(expected with { ExtensionTypes = hello.ExtensionTypes }, hello);
        }
    }

    [Fact]
    public void An_alert_instead_of_a_hello_is_invalid_and_described()
    {
        byte[] alert = [21, 3, 3, 0, 2, 2, 40];

        var result = ServerHelloParser.Parse(alert);

        Assert.Equal(HelloParseStatus.Invalid, result.Status);
        Assert.Contains("alert", result.Reason);
        Assert.Contains("40", result.Reason);
    }

    [Fact]
    public void A_client_hello_is_not_a_server_hello()
    {
        var result = ServerHelloParser.Parse(ClientHelloBuilder.SpecExample().BuildRecords());

        Assert.Equal(HelloParseStatus.Invalid, result.Status);
    }

    [Fact]
    public void Malformed_supported_versions_is_invalid()
    {
        var builder = new ServerHelloBuilder().Extension(0x002b, [3, 4, 0]);

        Assert.Equal(HelloParseStatus.Invalid, ServerHelloParser.Parse(builder.BuildRecords()).Status);
    }

    [Theory]
    [InlineData(0x1301, "TLS_AES_128_GCM_SHA256")]
    [InlineData(0x1302, "TLS_AES_256_GCM_SHA384")]
    [InlineData(0x1303, "TLS_CHACHA20_POLY1305_SHA256")]
    [InlineData(0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")]
    [InlineData(0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")]
    [InlineData(0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")]
    [InlineData(0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256")]
    [InlineData(0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA")]
    [InlineData(0x0a0a, null)]
    [InlineData(0x00ff, null)]
    [InlineData(0xfefe, null)]
    public void Cipher_names_are_the_iana_names(int value, string? expected) =>
        Assert.Equal(expected, TlsNames.CipherSuiteName((ushort)value));

    [Theory]
    [InlineData(0x0304, "TLSv1.3")]
    [InlineData(0x0303, "TLSv1.2")]
    [InlineData(0x0302, "TLSv1.1")]
    [InlineData(0x0301, "TLSv1")]
    [InlineData(0x0300, "SSLv3")]
    [InlineData(0x7f1c, null)]
    public void Protocol_names_follow_node(int version, string? expected) =>
        Assert.Equal(expected, TlsNames.ProtocolName((ushort)version));

    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(text)));
}
