using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ProxyMcp.Engine.Tls;

namespace ProxyMcp.Engine.Tests.Tls;

public sealed class CertificateAuthorityTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "proxymcp-ca-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Is_created_once_and_reused_on_every_later_load()
    {
        string pem, pin;
        using (var first = CertificateAuthority.LoadOrCreate(_dir))
        {
            pem = first.CertificatePem;
            pin = first.SpkiSha256Base64;
            Assert.Contains("BEGIN CERTIFICATE", pem);
            Assert.Equal(Path.Combine(_dir, CertificateAuthority.CertificateFileName), first.CertificatePath);
        }
        using var second = CertificateAuthority.LoadOrCreate(_dir);
        Assert.Equal(pem, second.CertificatePem);
        Assert.Equal(pin, second.SpkiSha256Base64);
    }

    [Fact]
    public void Private_key_is_readable_by_the_owner_only()
    {
        if (OperatingSystem.IsWindows()) return;
        using var ca = CertificateAuthority.LoadOrCreate(_dir);
        var mode = File.GetUnixFileMode(Path.Combine(_dir, CertificateAuthority.KeyFileName));
        Assert.Equal(UnixFileMode.UserRead, mode);
    }

    [Fact]
    public void Root_is_a_ca_and_the_pin_is_the_spki_sha256()
    {
        using var ca = CertificateAuthority.LoadOrCreate(_dir);
        var root = ca.Certificate;
        var constraints = root.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints.CertificateAuthority);
        Assert.NotNull(root.GetRSAPublicKey());
        var expected = Convert.ToBase64String(SHA256.HashData(root.PublicKey.ExportSubjectPublicKeyInfo()));
        Assert.Equal(expected, ca.SpkiSha256Base64);
    }

    [Fact]
    public void The_leaf_cache_is_bounded_and_drops_the_least_recently_used_hosts_first()
    {
        using var ca = CertificateAuthority.LoadOrCreate(_dir, leafCacheCapacity: 20);
        var hot = ca.GetServerContext("hot.test");
        var firstCold = ca.GetServerContext("cold-0.test");
        for (var i = 1; i <= 60; i++)
        {
            ca.GetServerContext($"cold-{i}.test");
            Assert.Same(hot, ca.GetServerContext("hot.test"));
            Assert.InRange(ca.LeafCount, 1, 20);
        }
        Assert.NotNull(ca.TryGetCachedServerContext("cold-60.test"));
        Assert.Null(ca.TryGetCachedServerContext("cold-0.test"));
        var reminted = ca.GetServerContext("cold-0.test");
        Assert.NotSame(firstCold, reminted);
        Assert.True(reminted.TargetCertificate.MatchesHostname("cold-0.test"));
    }

    [Fact]
    public async Task The_cache_trims_safely_while_other_handshakes_add_hosts()
    {
        using var ca = CertificateAuthority.LoadOrCreate(_dir);
        var context = ca.GetServerContext("shared.test");
        // A mint that costs nothing, so adds race the trimming thread as hard as they can.
        var cache = new LeafCache(10, _ => context);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 50_000; i++) Assert.Same(context, cache.Get($"w{worker}-{i}.test"));
        })));
        cache.Get("last.test");
        Assert.InRange(cache.Count, 1, 10);
    }

    [Fact]
    public async Task Concurrent_handshakes_for_one_new_host_mint_one_leaf()
    {
        using var ca = CertificateAuthority.LoadOrCreate(_dir);
        var contexts = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() => ca.GetServerContext("burst.test"))));
        Assert.All(contexts, c => Assert.Same(contexts[0], c));
        Assert.Equal(1, ca.LeafCount);
    }

    [Fact]
    public void Leaves_are_ecdsa_p256_for_the_host_chain_to_the_root_and_are_cached()
    {
        using var ca = CertificateAuthority.LoadOrCreate(_dir);
        var context = ca.GetServerContext("Example.TEST.");
        Assert.Same(context, ca.GetServerContext("example.test"));
        Assert.Equal(1, ca.LeafCount);

        var leaf = context.TargetCertificate;
        using var key = leaf.GetECDsaPublicKey();
        Assert.NotNull(key);
        Assert.Equal(256, key!.KeySize);
        Assert.True(leaf.MatchesHostname("example.test"));

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca.Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(leaf), string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation)));

        var ipLeaf = ca.GetServerContext("127.0.0.1").TargetCertificate;
        Assert.True(ipLeaf.MatchesHostname("127.0.0.1"));
    }

    [Fact]
    public void Handshakes_present_a_certificate_with_the_root_key_so_the_spki_pin_matches()
    {
        using var ca = CertificateAuthority.LoadOrCreate(_dir);
        var context = ca.GetServerContext("example.test");
        var presented = Assert.Single(context.IntermediateCertificates);

        Assert.Equal(ca.PinCarrier, presented);
        Assert.Equal(ca.SpkiSha256Base64, Convert.ToBase64String(SHA256.HashData(presented.PublicKey.ExportSubjectPublicKeyInfo())));
        Assert.Equal(ca.Certificate.SubjectName.Name, presented.SubjectName.Name);
        Assert.NotEqual(ca.Certificate.SubjectName.Name, presented.IssuerName.Name);

        // A client that trusts the root and is handed the presented chain still builds leaf → root.
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca.Certificate);
        chain.ChainPolicy.ExtraStore.Add(presented);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(context.TargetCertificate), string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(ca.Certificate, chain.ChainElements[^1].Certificate);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
