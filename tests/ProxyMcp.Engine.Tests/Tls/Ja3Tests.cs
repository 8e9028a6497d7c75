using ProxyMcp.Engine.Tls.Fingerprints;

namespace ProxyMcp.Engine.Tests.Tls;

public sealed class Ja3Tests
{
    [Fact]
    public void Matches_the_first_example_of_the_ja3_readme()
    {
        var hello = Parse(new ClientHelloBuilder { LegacyVersion = 0x0301 }
            .Cipher(47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4)
            .ServerName("example.org")
            .Groups(23, 24, 25)
            .PointFormats(0));

        var ja3 = Ja3.Compute(hello);

        Assert.Equal("769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0", ja3.Text);
        Assert.Equal("ada70206e40642a3e4461f35503241d5", ja3.Hash);
    }

    [Fact]
    public void Leaves_empty_fields_without_extensions_like_the_second_readme_example()
    {
        var hello = Parse(new ClientHelloBuilder { LegacyVersion = 0x0301, WithoutExtensionBlock = true }
            .Cipher(4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99));

        var ja3 = Ja3.Compute(hello);

        Assert.Equal("769,4-5-10-9-100-98-3-6-19-18-99,,,", ja3.Text);
        Assert.Equal("de350869b8c85de67a350c8d186f11e6", ja3.Hash);
    }

    [Fact]
    public void Removes_grease_from_ciphers_extensions_and_groups_and_keeps_wire_order()
    {
        var ja3 = Ja3.Compute(Parse(ClientHelloBuilder.SpecExample()));

        Assert.Equal(
            "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53," +
            "27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0",
            ja3.Text);
        Assert.Equal(32, ja3.Hash.Length);
        Assert.Equal(ja3.Hash, ja3.Hash.ToLowerInvariant());
    }

    [Fact]
    public void Uses_the_legacy_version_even_for_tls13_clients()
    {
        var hello = Parse(new ClientHelloBuilder().Cipher(0x1301).SupportedVersions(0x0304));

        Assert.StartsWith("771,4865,43,,", Ja3.Compute(hello).Text);
    }

    private static ClientHello Parse(ClientHelloBuilder builder) => ClientHelloParser.Parse(builder.BuildRecords()).Hello!;
}
