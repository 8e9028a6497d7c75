using System.Net;
using System.Security.Cryptography.X509Certificates;
using ProxyMcp.TestSupport;

namespace ProxyMcp.Engine.Tests.TestSupportTests;

/// <summary>The origin's test CA: a separate root whose leaf covers loopback names plus any extras.</summary>
public sealed class TestCertificatesTests
{
    [Fact]
    public void Leaf_covers_loopback_and_extra_names_and_chains_only_to_its_own_root()
    {
        using var certificates = TestCertificates.Create("origin.test", "10.1.2.3");
        using var stranger = TestCertificates.Create();

        var san = certificates.ServerCertificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["localhost", "origin.test"], san.EnumerateDnsNames().Order(StringComparer.Ordinal));
        Assert.Equal(
            [IPAddress.Parse("10.1.2.3"), IPAddress.Loopback, IPAddress.IPv6Loopback],
            san.EnumerateIPAddresses().OrderBy(a => a.ToString(), StringComparer.Ordinal));

        Assert.False(certificates.Root.HasPrivateKey);
        Assert.True(certificates.ServerCertificate.HasPrivateKey);
        Assert.True(certificates.ChainsToRoot(certificates.ServerCertificate));
        Assert.False(stranger.ChainsToRoot(certificates.ServerCertificate));
    }

    [Fact]
    public async Task Root_pem_round_trips_through_a_file()
    {
        using var certificates = TestCertificates.Create();
        var path = await certificates.WriteRootPemToTempFileAsync();
        try
        {
            using var loaded = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(path));
            Assert.Equal(certificates.Root.Thumbprint, loaded.Thumbprint);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", certificates.RootPem, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
