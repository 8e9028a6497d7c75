using System.Text;
using ProxyMcp.Engine.Tls.Fingerprints;

namespace ProxyMcp.Engine.Tests.Tls;

public sealed class ClientHelloParserTests
{
    [Fact]
    public void Parses_every_field_in_wire_order_with_grease_kept()
    {
        var records = ClientHelloBuilder.SpecExample().BuildRecords();

        var result = ClientHelloParser.Parse(records);

        Assert.True(result.IsComplete, result.ToString());
        var hello = result.Hello;
        Assert.Equal(records.Length, result.Length);
        Assert.Equal(0x0303, hello.LegacyVersion);
        Assert.Equal(16, hello.CipherSuites.Length);
        Assert.Equal(0x3a3a, hello.CipherSuites[0]);
        Assert.Equal(0x0035, hello.CipherSuites[^1]);
        Assert.Equal(
            new ushort[] { 0x2a2a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012,
                0x002b, 0xff01, 0x000b, 0x000a, 0x0015, 0x1a1a },
            hello.ExtensionTypes);
        Assert.Equal(new ushort[] { 0x8a8a, 0x001d, 0x0017, 0x0018 }, hello.SupportedGroups);
        Assert.Equal(new byte[] { 0 }, hello.EcPointFormats);
        Assert.Equal(new ushort[] { 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601 }, hello.SignatureAlgorithms);
        Assert.Equal(new ushort[] { 0x6a6a, 0x0304, 0x0303 }, hello.SupportedVersions);
        Assert.Equal("example.com", hello.ServerName);
        Assert.Equal(new[] { "h2", "http/1.1" }, hello.AlpnProtocols);
        Assert.Equal("http/1.1"u8.ToArray(), hello.AlpnProtocolsRaw[1].ToArray());
        Assert.True(hello.HasExtension(ClientHello.ServerNameExtension));
    }

    [Theory]
    [InlineData(0x0a0a, true)]
    [InlineData(0x1a1a, true)]
    [InlineData(0x7a7a, true)]
    [InlineData(0xfafa, true)]
    [InlineData(0x0a1a, false)]
    [InlineData(0x1a0a, false)]
    [InlineData(0x0b0b, false)]
    [InlineData(0x0a0b, false)]
    [InlineData(0x0000, false)]
    [InlineData(0x1301, false)]
    public void IsGrease_matches_exactly_the_sixteen_rfc8701_values(int value, bool expected) =>
        Assert.Equal(expected, ClientHello.IsGrease((ushort)value));

    [Fact]
    public void IsGrease_is_true_for_sixteen_values_in_all()
    {
        var count = 0;
        for (var v = 0; v <= ushort.MaxValue; v++)
        {
            count += ClientHello.IsGrease((ushort)v) ? 1 : 0;
        }

        Assert.Equal(16, count);
    }

    [Fact]
    public void Hello_without_sni_alpn_or_extension_block_gives_empty_lists()
    {
        var builder = new ClientHelloBuilder { LegacyVersion = 0x0301, WithoutExtensionBlock = true }.Cipher(0x0004, 0x0005);

        var result = ClientHelloParser.Parse(builder.BuildRecords());

        Assert.True(result.IsComplete, result.ToString());
        Assert.Null(result.Hello.ServerName);
        Assert.Empty(result.Hello.ExtensionTypes);
        Assert.Empty(result.Hello.AlpnProtocols);
        Assert.Empty(result.Hello.AlpnProtocolsRaw);
        Assert.Empty(result.Hello.SupportedGroups);
        Assert.Empty(result.Hello.EcPointFormats);
    }

    [Fact]
    public void Takes_the_first_host_name_of_the_server_name_list()
    {
        var other = ClientHelloBuilder.Concat([7], ClientHelloBuilder.U16(3), "abc"u8.ToArray());
        var first = ClientHelloBuilder.Concat([0], ClientHelloBuilder.U16(5), "a.org"u8.ToArray());
        var second = ClientHelloBuilder.Concat([0], ClientHelloBuilder.U16(5), "b.org"u8.ToArray());
        var list = ClientHelloBuilder.Concat(other, first, second);
        var builder = new ClientHelloBuilder().Cipher(0x1301)
            .Extension(0x0000, ClientHelloBuilder.Concat(ClientHelloBuilder.U16(list.Length), list));

        var result = ClientHelloParser.Parse(builder.BuildRecords());

        Assert.True(result.IsComplete, result.ToString());
        Assert.Equal("a.org", result.Hello.ServerName);
    }

    [Fact]
    public void Keeps_non_printable_alpn_bytes()
    {
        var builder = new ClientHelloBuilder().Cipher(0x1301).AlpnRaw([0x00, 0xff, 0x41]);

        var hello = ClientHelloParser.Parse(builder.BuildRecords()).Hello!;

        Assert.Equal(new byte[] { 0x00, 0xff, 0x41 }, hello.AlpnProtocolsRaw[0].ToArray());
        Assert.Equal("\u0000\u00ffA", hello.AlpnProtocols[0]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(100)]
    [InlineData(200)]
    public void Hello_fragmented_over_several_records_parses_like_one_record(int maxFragment)
    {
        var builder = ClientHelloBuilder.SpecExample();
        var single = ClientHelloParser.Parse(builder.BuildRecords());
        var records = builder.BuildRecords(maxFragment);

        var result = ClientHelloParser.Parse(records);

        Assert.True(result.IsComplete, result.ToString());
        Assert.Equal(records.Length, result.Length);
        AssertSameHello(single.Hello!, result.Hello);
    }

    [Fact]
    public void Hello_split_across_two_records_and_every_two_segment_cut_parses_identically()
    {
        var builder = ClientHelloBuilder.SpecExample();
        var expected = ClientHelloParser.Parse(builder.BuildRecords()).Hello!;
        var records = builder.BuildRecords(builder.BuildMessage().Length / 2 + 1);
        Assert.Equal(2, CountRecords(records));

        for (var cut = 0; cut <= records.Length; cut++)
        {
            var result = ClientHelloParser.Parse(SegmentedSequence.Create(records, cut));

            Assert.True(result.IsComplete, $"cut {cut}: {result}");
            Assert.Equal(records.Length, result.Length);
            AssertSameHello(expected, result.Hello);
        }
    }

    [Fact]
    public void Hello_in_many_small_segments_parses_identically()
    {
        var random = new Random(1234);
        var builder = ClientHelloBuilder.SpecExample();
        var expected = ClientHelloParser.Parse(builder.BuildRecords()).Hello!;
        foreach (var maxFragment in new[] { 16384, 7, 61 })
        {
            var records = builder.BuildRecords(maxFragment);
            for (var i = 0; i < 200; i++)
            {
                var result = ClientHelloParser.Parse(SegmentedSequence.Random(records, random, 1 + (i % 13)));

                Assert.True(result.IsComplete, result.ToString());
                AssertSameHello(expected, result.Hello);
            }
        }
    }

    [Theory]
    [InlineData(16384)]
    [InlineData(50)]
    [InlineData(3)]
    public void Every_strict_prefix_needs_more_data_and_names_a_reachable_length(int maxFragment)
    {
        var records = ClientHelloBuilder.SpecExample().BuildRecords(maxFragment);

        for (var length = 0; length < records.Length; length++)
        {
            var prefix = records.AsSpan(0, length);
            var result = ClientHelloParser.Parse(prefix);
            var segmented = ClientHelloParser.Parse(SegmentedSequence.Create(prefix.ToArray(), length / 3, length / 3));

            Assert.Equal(HelloParseStatus.NeedMoreData, result.Status);
            Assert.InRange(result.Length, length + 1, records.Length);
            Assert.Equal(result, segmented);
        }
    }

    [Fact]
    public void Needed_length_is_exact_once_both_headers_are_in()
    {
        var records = ClientHelloBuilder.SpecExample().BuildRecords();

        Assert.Equal(9, ClientHelloParser.Parse(ReadOnlySpan<byte>.Empty).Length);
        for (var length = 9; length < records.Length; length++)
        {
            Assert.Equal(records.Length, ClientHelloParser.Parse(records.AsSpan(0, length)).Length);
        }
    }

    [Fact]
    public void Bytes_after_the_hello_are_ignored_and_not_counted()
    {
        var hello = ClientHelloBuilder.SpecExample().BuildRecords();
        var appData = TlsRecordsForTests.Wrap([1, 2, 3], contentType: 23, version: 0x0303);
        var input = ClientHelloBuilder.Concat(hello, appData);

        var result = ClientHelloParser.Parse(input);

        Assert.True(result.IsComplete, result.ToString());
        Assert.Equal(hello.Length, result.Length);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("CONNECT example.com:443 HTTP/1.1\r\n\r\n")]
    [InlineData("G")]
    [InlineData("\u0016\u0001")]
    public void Plain_text_and_wrong_record_versions_are_not_tls(string input)
    {
        var result = ClientHelloParser.Parse(Encoding.Latin1.GetBytes(input));

        Assert.Equal(HelloParseStatus.NotTls, result.Status);
        Assert.False(string.IsNullOrEmpty(result.Reason));
    }

    [Fact]
    public void Sslv2_compatible_hello_is_not_tls()
    {
        byte[] sslv2 = [0x80, 0x2e, 0x01, 0x00, 0x02, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10];

        Assert.Equal(HelloParseStatus.NotTls, ClientHelloParser.Parse(sslv2).Status);
    }

    [Fact]
    public void A_different_handshake_message_is_invalid()
    {
        var records = ServerHelloBuilder.Tls13().BuildRecords();

        var result = ClientHelloParser.Parse(records);

        Assert.Equal(HelloParseStatus.Invalid, result.Status);
        Assert.Contains("ClientHello", result.Reason);
    }

    [Fact]
    public void A_foreign_record_inside_a_fragmented_hello_is_invalid()
    {
        var records = ClientHelloBuilder.SpecExample().BuildRecords(100);
        var ccs = TlsRecordsForTests.Wrap([1], contentType: 20);
        var input = ClientHelloBuilder.Concat(records.AsSpan(0, 105).ToArray(), ccs, records.AsSpan(105).ToArray());

        Assert.Equal(HelloParseStatus.Invalid, ClientHelloParser.Parse(input).Status);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16385)]
    [InlineData(65535)]
    public void Record_lengths_outside_the_tls_limits_are_invalid(int recordLength)
    {
        byte[] input = [22, 3, 1, (byte)(recordLength >> 8), (byte)recordLength, 1, 0, 0, 10];

        Assert.Equal(HelloParseStatus.Invalid, ClientHelloParser.Parse(input).Status);
    }

    [Fact]
    public void Hello_declaring_more_than_the_cap_is_invalid_without_waiting_for_it()
    {
        byte[] input = [22, 3, 1, 0x40, 0x00, 1, 0x01, 0x00, 0x00];

        var result = ClientHelloParser.Parse(input);

        Assert.Equal(HelloParseStatus.Invalid, result.Status);
        Assert.Contains("cap", result.Reason);
    }

    [Fact]
    public void Hello_within_the_cap_but_in_too_many_tiny_records_is_invalid()
    {
        var builder = new ClientHelloBuilder().Cipher(0x1301).Extension(0x0015, new byte[60_000]);
        var records = builder.BuildRecords(1);

        var result = ClientHelloParser.Parse(records);

        Assert.Equal(HelloParseStatus.Invalid, result.Status);
    }

    [Fact]
    public void Large_hello_near_the_cap_over_many_records_and_segments_parses()
    {
        var builder = new ClientHelloBuilder().Cipher(0x1301).ServerName("big.test").Extension(0x0015, new byte[60_000]);
        var records = builder.BuildRecords(16384);

        var result = ClientHelloParser.Parse(SegmentedSequence.Create(records, 4096, 4096, 4096, 4096, 4096, 4096));

        Assert.True(result.IsComplete, result.ToString());
        Assert.Equal("big.test", result.Hello.ServerName);
    }

    [Fact]
    public void Malformed_extension_content_is_invalid_with_the_extension_named()
    {
        var builder = new ClientHelloBuilder().Cipher(0x1301).Extension(0x000a, [0, 3, 0, 23, 0]);

        var result = ClientHelloParser.Parse(builder.BuildRecords());

        Assert.Equal(HelloParseStatus.Invalid, result.Status);
        Assert.Contains("extension 10", result.Reason);
    }

    [Fact]
    public void Odd_cipher_list_is_invalid()
    {
        var message = new ClientHelloBuilder().Cipher(0x1301, 0x1302).BuildMessage();
        message[4 + 2 + 32 + 1 + 32 + 1] = 3; // cipher_suites length low byte: 4 -> 3

        Assert.Equal(HelloParseStatus.Invalid, ClientHelloParser.Parse(TlsRecordsForTests.Wrap(message)).Status);
    }

    internal static void AssertSameHello(ClientHello expected, ClientHello actual)
    {
        Assert.Equal(expected.LegacyVersion, actual.LegacyVersion);
        Assert.Equal(expected.CipherSuites.ToArray(), actual.CipherSuites.ToArray());
        Assert.Equal(expected.ExtensionTypes.ToArray(), actual.ExtensionTypes.ToArray());
        Assert.Equal(expected.SupportedGroups.ToArray(), actual.SupportedGroups.ToArray());
        Assert.Equal(expected.EcPointFormats.ToArray(), actual.EcPointFormats.ToArray());
        Assert.Equal(expected.SignatureAlgorithms.ToArray(), actual.SignatureAlgorithms.ToArray());
        Assert.Equal(expected.SupportedVersions.ToArray(), actual.SupportedVersions.ToArray());
        Assert.Equal(expected.ServerName, actual.ServerName);
        Assert.Equal(expected.AlpnProtocols.ToArray(), actual.AlpnProtocols.ToArray());
    }

    private static int CountRecords(byte[] records)
    {
        var count = 0;
        for (var position = 0; position < records.Length; position += 5 + ((records[position + 3] << 8) | records[position + 4]))
        {
            count++;
        }

        return count;
    }
}
