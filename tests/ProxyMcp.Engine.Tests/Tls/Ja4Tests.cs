using System.Security.Cryptography;
using System.Text;
using ProxyMcp.Engine.Tls.Fingerprints;

namespace ProxyMcp.Engine.Tests.Tls;

public sealed class Ja4Tests
{
    private const string SpecSortedCiphers = "002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9";
    private const string SpecSortedExtensions = "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01";
    private const string SpecSignatures = "0403,0804,0401,0503,0805,0501,0806,0601";

    [Fact]
    public void Reproduces_the_worked_example_of_the_specification()
    {
        var ja4 = Ja4.Compute(Parse(ClientHelloBuilder.SpecExample()));

        Assert.Equal("t13d1516h2_8daaf6152771_e5627efa2ab1", ja4.Fingerprint);
        Assert.Equal($"t13d1516h2_{SpecSortedCiphers}_{SpecSortedExtensions}_{SpecSignatures}", ja4.Raw);
        Assert.Equal("t13d1516h2_acb858a92679_18f69afefd3d", ja4.Original);
        Assert.Equal(
            "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_" +
            "001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_" + SpecSignatures,
            ja4.RawOriginal);
    }

    [Fact]
    public void Hashes_the_extension_list_alone_without_signature_algorithms()
    {
        var builder = ClientHelloBuilder.SpecExample();
        var index = builder.Extensions.FindIndex(e => e.Type == 0x000d);
        builder.Extensions[index] = (0x000d, [0, 0]);

        var ja4 = Ja4.Compute(Parse(builder));

        Assert.Equal("t13d1516h2_8daaf6152771_6d807ffa2a79", ja4.Fingerprint);
        Assert.EndsWith($"_{SpecSortedExtensions}", ja4.Raw);
    }

    [Fact]
    public void Without_sni_the_flag_is_i_and_the_hashes_do_not_change()
    {
        var builder = ClientHelloBuilder.SpecExample();
        builder.Extensions.RemoveAll(e => e.Type == 0x0000);

        var ja4 = Ja4.Compute(Parse(builder));

        Assert.Equal("t13i1515h2_8daaf6152771_e5627efa2ab1", ja4.Fingerprint);
    }

    [Fact]
    public void Sni_flag_follows_the_extension_even_without_a_host_name()
    {
        var hello = Parse(new ClientHelloBuilder().Cipher(0x1301).Extension(0x0000, [0, 0]));

        Assert.Null(hello.ServerName);
        Assert.StartsWith("t12d0101", Ja4.Compute(hello).Fingerprint);
    }

    [Fact]
    public void Without_alpn_the_alpn_code_is_00()
    {
        var builder = ClientHelloBuilder.SpecExample();
        builder.Extensions.RemoveAll(e => e.Type == 0x0010);

        Assert.Equal("t13d151500_8daaf6152771_e5627efa2ab1", Ja4.Compute(Parse(builder)).Fingerprint);
    }

    [Fact]
    public void Empty_alpn_list_or_empty_first_name_gives_00()
    {
        var emptyList = new ClientHelloBuilder().Cipher(0x1301).Extension(0x0010, [0, 0]);
        var emptyName = new ClientHelloBuilder().Cipher(0x1301).AlpnRaw([], "h2"u8.ToArray());

        Assert.Equal("t12i010100", Ja4.Compute(Parse(emptyList)).Fingerprint[..10]);
        Assert.Equal("t12i010100", Ja4.Compute(Parse(emptyName)).Fingerprint[..10]);
    }

    [Theory]
    [InlineData("6832", "h2")]
    [InlineData("687474702f312e31", "h1")]
    [InlineData("6833", "h3")]
    [InlineData("78", "xx")]
    [InlineData("4142", "AB")]
    [InlineData("ab", "ab")]
    [InlineData("20", "20")]
    [InlineData("abcd", "ad")]
    [InlineData("2061", "21")]
    [InlineData("30ab", "3b")]
    [InlineData("6120", "60")]
    [InlineData("3031abcd", "3d")]
    [InlineData("30abcd31", "01")]
    [InlineData("682f", "6f")]
    public void Alpn_code_follows_the_specification_table(string firstNameHex, string expected)
    {
        var hello = Parse(new ClientHelloBuilder().Cipher(0x1301).AlpnRaw(Convert.FromHexString(firstNameHex), "zz"u8.ToArray()));

        Assert.Equal(expected, Ja4.Compute(hello).Fingerprint[8..10]);
    }

    [Fact]
    public void Counts_are_capped_at_99()
    {
        var builder = new ClientHelloBuilder();
        for (ushort c = 1; c <= 150; c++)
        {
            builder.Cipher(c);
        }

        for (ushort e = 0x0100; e < 0x0100 + 120; e++)
        {
            builder.Extension(e);
        }

        var ja4 = Ja4.Compute(Parse(builder));

        Assert.StartsWith("t12i9999", ja4.Fingerprint);
        Assert.Equal(150, ja4.Raw.Split('_')[1].Split(',').Length);
        Assert.Equal(Sha12(ja4.Raw.Split('_')[1]), ja4.Fingerprint.Split('_')[1]);
    }

    [Fact]
    public void Empty_lists_hash_to_twelve_zeros()
    {
        var noCiphersNoExtensions = new ClientHelloBuilder { WithoutExtensionBlock = true };
        var onlySniAndAlpn = new ClientHelloBuilder().Cipher(0x1301).ServerName("a.test").Alpn("h2");

        var empty = Ja4.Compute(Parse(noCiphersNoExtensions));
        var sniAlpn = Ja4.Compute(Parse(onlySniAndAlpn));

        Assert.Equal("t12i000000_000000000000_000000000000", empty.Fingerprint);
        Assert.Equal("t12i000000__", empty.Raw);
        Assert.Equal("t12i000000_000000000000_000000000000", empty.Original);
        Assert.Equal("t12d0102h2_" + Sha12("1301") + "_000000000000", sniAlpn.Fingerprint);
        Assert.Equal("t12d0102h2_1301_", sniAlpn.Raw);
        Assert.Equal("t12d0102h2_" + Sha12("1301") + "_" + Sha12("0000,0010"), sniAlpn.Original);
    }

    [Theory]
    [InlineData(0x0303, new int[0], false, "12")]
    [InlineData(0x0302, new int[0], false, "11")]
    [InlineData(0x0301, new int[0], false, "10")]
    [InlineData(0x0300, new int[0], false, "s3")]
    [InlineData(0x0002, new int[0], false, "s2")]
    [InlineData(0x0200, new int[0], false, "00")]
    [InlineData(0x0303, new[] { 0x0a0a, 0x0304, 0x0303 }, true, "13")]
    [InlineData(0x0303, new[] { 0x0303, 0x0304, 0xfafa }, true, "13")]
    [InlineData(0x0303, new[] { 0x0302, 0x0301 }, true, "11")]
    [InlineData(0x0303, new[] { 0x7f1c, 0x0304 }, true, "00")]
    [InlineData(0x0303, new[] { 0x5a5a }, true, "00")]
    [InlineData(0x0303, new int[0], true, "00")]
    public void Version_comes_from_supported_versions_when_present(int legacy, int[] supported, bool withExtension, string expected)
    {
        var builder = new ClientHelloBuilder { LegacyVersion = (ushort)legacy }.Cipher(0x1301);
        if (withExtension)
        {
            builder.SupportedVersions(supported.Select(v => (ushort)v).ToArray());
        }

        Assert.Equal(expected, Ja4.Compute(Parse(builder)).Fingerprint[1..3]);
    }

    [Fact]
    public void Grease_anywhere_changes_nothing()
    {
        var withGrease = new ClientHelloBuilder().Cipher(0x0a0a, 0x1301, 0xcaca, 0x1302).Extension(0xdada)
            .ServerName("g.test").SignatureAlgorithms(0x2a2a, 0x0403).SupportedVersions(0x3a3a, 0x0304).Extension(0xeaea);
        var without = new ClientHelloBuilder().Cipher(0x1301, 0x1302)
            .ServerName("g.test").SignatureAlgorithms(0x0403).SupportedVersions(0x0304);

        Assert.Equal(Ja4.Compute(Parse(without)), Ja4.Compute(Parse(withGrease)));
        Assert.Equal(Ja3.Compute(Parse(without)), Ja3.Compute(Parse(withGrease)));
    }

    private static string Sha12(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(text)))[..12];

    private static ClientHello Parse(ClientHelloBuilder builder)
    {
        var result = ClientHelloParser.Parse(builder.BuildRecords());
        Assert.True(result.IsComplete, result.ToString());
        return result.Hello;
    }
}
