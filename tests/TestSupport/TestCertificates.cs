using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ProxyMcp.TestSupport;

/// <summary>An in-memory test root CA and a server certificate it signed, for the origin server (never the proxy's CA).</summary>
public sealed class TestCertificates : IDisposable
{
    private static readonly string[] DefaultNames = ["localhost", "127.0.0.1", "::1"];

    private TestCertificates(X509Certificate2 root, X509Certificate2 server, IReadOnlyList<string> names)
    {
        Root = root;
        ServerCertificate = server;
        SubjectAlternativeNames = names;
        RootPem = root.ExportCertificatePem();
    }

    /// <summary>The root CA's public certificate: what a client (or the proxy) must trust to verify the origin.</summary>
    public X509Certificate2 Root { get; }

    /// <summary>The root CA in PEM form (for curl <c>--cacert</c> or PEM-based trust options).</summary>
    public string RootPem { get; }

    /// <summary>The origin's leaf certificate, with its private key.</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>Names the leaf is valid for: localhost, 127.0.0.1, ::1 and any extra names.</summary>
    public IReadOnlyList<string> SubjectAlternativeNames { get; }

    /// <summary>Creates a fresh root and a leaf for localhost, 127.0.0.1, ::1 plus <paramref name="extraNames"/> (DNS names or IP literals).</summary>
    public static TestCertificates Create(params IEnumerable<string> extraNames)
    {
        var names = DefaultNames.Concat(extraNames).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);

        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = CreateRoot(rootKey, notBefore);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = CreateLeaf(leafKey, root, names, notBefore);

        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform, not only as an ephemeral key.
        using var leafWithKey = leaf.CopyWithPrivateKey(leafKey);
        var server = X509CertificateLoader.LoadPkcs12(leafWithKey.Export(X509ContentType.Pkcs12), password: null);
        var publicRoot = X509CertificateLoader.LoadCertificate(root.RawData);
        return new TestCertificates(publicRoot, server, names);
    }

    /// <summary>Writes <see cref="RootPem"/> to <paramref name="path"/>.</summary>
    public Task WriteRootPemAsync(string path, CancellationToken cancellationToken = default) =>
        File.WriteAllTextAsync(path, RootPem, cancellationToken);

    /// <summary>Writes the root PEM to a new temporary file and returns its path; the caller deletes it.</summary>
    public async Task<string> WriteRootPemToTempFileAsync(CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(Path.GetTempPath(), $"proxymcp-test-origin-ca-{Guid.NewGuid():N}.pem");
        await WriteRootPemAsync(path, cancellationToken).ConfigureAwait(false);
        return path;
    }

    /// <summary>A chain policy that trusts only this root: what a client uses to verify the origin.</summary>
    public X509ChainPolicy CreateChainPolicy()
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.Add(Root);
        return policy;
    }

    /// <summary>True when <paramref name="certificate"/> chains to this root (host name checks are left to the caller).</summary>
    public bool ChainsToRoot(X509Certificate2 certificate)
    {
        using var chain = new X509Chain { ChainPolicy = CreateChainPolicy() };
        return chain.Build(certificate);
    }

    /// <summary>
    /// A <see cref="RemoteCertificateValidationCallback"/> that trusts only this root (custom-root chain), while still
    /// failing on a name mismatch or a missing certificate.
    /// </summary>
    public bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            return false;
        if (certificate is X509Certificate2 certificate2)
            return ChainsToRoot(certificate2);
        using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return ChainsToRoot(copy);
    }

    public void Dispose()
    {
        Root.Dispose();
        ServerCertificate.Dispose();
    }

    private static X509Certificate2 CreateRoot(ECDsa key, DateTimeOffset notBefore)
    {
        var request = new CertificateRequest("CN=ProxyMcp Test Origin Root, O=ProxyMcp Tests", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(notBefore, notBefore.AddDays(30));
    }

    private static X509Certificate2 CreateLeaf(ECDsa key, X509Certificate2 issuer, IEnumerable<string> names, DateTimeOffset notBefore)
    {
        var request = new CertificateRequest("CN=localhost, O=ProxyMcp Test Origin", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        request.CertificateExtensions.Add(BuildSubjectAlternativeNames(names));

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // keep the serial positive
        return request.Create(issuer, notBefore, notBefore.AddDays(29), serial);
    }

    private static X509Extension BuildSubjectAlternativeNames(IEnumerable<string> names)
    {
        var builder = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address))
                builder.AddIpAddress(address);
            else
                builder.AddDnsName(name);
        }

        return builder.Build(critical: false);
    }
}
