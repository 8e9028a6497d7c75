using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ProxyMcp.Engine.Tls;

/// <summary>
/// Our root CA, created once and kept in the data directory, plus a per-host cache of ECDSA leaf certificates.
/// The root is RSA-2048: every TLS stack still in use (old Android, Java, embedded clients) accepts an RSA root, and the
/// cost of RSA is paid once at creation. Leaves are ECDSA P-256 because minting them is on the connection path.
/// </summary>
/// <remarks>
/// Handshakes present the leaf plus a copy of the root's subject and key under another issuer name (a cross-certificate).
/// SslStream never sends a self-signed root — it trims it from the chain — yet Chromium's
/// --ignore-certificate-errors-spki-list looks only at the certificates the server presents, so without a presented
/// certificate holding the root's key the pin proxy-mcp documents (certFingerprint) matches nothing. The copy's issuer
/// is unknown, which keeps it in the sent chain; clients that trust the root find it by the leaf's issuer name (OpenSSL
/// trusted-first, GnuTLS same-name-and-key, NSS, Java, Go, .NET) and see an ordinary two-certificate path.
/// </remarks>
public sealed class CertificateAuthority : IDisposable
{
    public const string CertificateFileName = "ca.pem";
    public const string KeyFileName = "ca.key.pem";

    private static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(365);
    private readonly X509Certificate2 _root;
    private readonly RSA _rootKey;
    private readonly X509Certificate2 _pinCarrier;
    private readonly LeafCache _leaves;

    /// <summary>Leaf certificates kept by default (~25 MB); hosts beyond that are re-minted when seen again (~1 ms each).</summary>
    public const int DefaultLeafCacheCapacity = 1000;

    private CertificateAuthority(X509Certificate2 root, RSA rootKey, string certificatePath, int leafCacheCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(leafCacheCapacity, 1);
        _root = root;
        _rootKey = rootKey;
        _leaves = new LeafCache(leafCacheCapacity, MintLeaf);
        _pinCarrier = CreatePinCarrier(root, rootKey);
        CertificatePath = certificatePath;
        CertificatePem = root.ExportCertificatePem() + "\n";
        SpkiSha256Base64 = Convert.ToBase64String(SHA256.HashData(root.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>The root certificate (public part only).</summary>
    public X509Certificate2 Certificate => _root;

    /// <summary>Absolute path of the PEM file holding the root certificate.</summary>
    public string CertificatePath { get; }

    public string CertificatePem { get; }

    /// <summary>base64(SHA-256(SubjectPublicKeyInfo)): the pin Chromium's --ignore-certificate-errors-spki-list takes.</summary>
    public string SpkiSha256Base64 { get; }

    /// <summary>The certificate presented after each leaf: the root's subject and key, issued under another name; not persisted.</summary>
    public X509Certificate2 PinCarrier => _pinCarrier;

    /// <summary>Number of leaf certificates in the cache.</summary>
    public int LeafCount => _leaves.Count;

    /// <summary>Loads the CA from <paramref name="directory"/>, creating and saving it on first use.</summary>
    /// <param name="leafCacheCapacity">How many per-host leaf certificates to keep (least recently used dropped first).</param>
    public static CertificateAuthority LoadOrCreate(string directory, int leafCacheCapacity = DefaultLeafCacheCapacity)
    {
        Directory.CreateDirectory(directory);
        var certificatePath = Path.GetFullPath(Path.Combine(directory, CertificateFileName));
        var keyPath = Path.Combine(directory, KeyFileName);
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            var key = RSA.Create();
            key.ImportFromPem(File.ReadAllText(keyPath));
            var cert = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
            return new CertificateAuthority(cert, key, certificatePath, leafCacheCapacity);
        }

        var (root, rootKey) = CreateRoot();
        WriteOwnerOnly(keyPath, rootKey.ExportPkcs8PrivateKeyPem() + "\n");
        // Written after the key so a half-finished first run is regenerated rather than loaded.
        File.WriteAllText(certificatePath, root.ExportCertificatePem() + "\n");
        return new CertificateAuthority(root, rootKey, certificatePath, leafCacheCapacity);
    }

    /// <summary>The certificate context to present for <paramref name="host"/>, minted once and cached.</summary>
    public SslStreamCertificateContext GetServerContext(string host) => _leaves.Get(NormalizeHost(host));

    /// <summary>The cached context for <paramref name="host"/>, or null when it has not been minted (or is being minted).</summary>
    public SslStreamCertificateContext? TryGetCachedServerContext(string host) => _leaves.TryGet(NormalizeHost(host));

    internal static string NormalizeHost(string host)
    {
        host = host.Trim().TrimEnd('.');
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        return host.ToLowerInvariant();
    }

    private SslStreamCertificateContext MintLeaf(string host)
    {
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subjectName = host.Length <= 64 ? host : host[..64];
        var request = new CertificateRequest($"CN={EscapeDn(subjectName)}, O=ProxyMcp", leafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(host, out var ip)) san.AddIpAddress(ip);
        else san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_root, true, false));

        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.Add(LeafLifetime);
        if (notAfter > _root.NotAfter) notAfter = _root.NotAfter;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var signed = request.Create(_root.SubjectName, X509SignatureGenerator.CreateForRSA(_rootKey, RSASignaturePadding.Pkcs1),
            notBefore, notAfter, serial);
        var withKey = signed.CopyWithPrivateKey(leafKey);
        // Built from the carrier alone, the chain stops at its unknown issuer, so SslStream sends it (it would trim the root).
        return SslStreamCertificateContext.Create(withKey, new X509Certificate2Collection(_pinCarrier), offline: true);
    }

    /// <summary>
    /// The root's subject and key with the same CA constraints, issued (signed with the root key) under a name no one has:
    /// a certificate that carries the root's SPKI into every handshake.
    /// </summary>
    private static X509Certificate2 CreatePinCarrier(X509Certificate2 root, RSA rootKey)
    {
        var request = new CertificateRequest(root.SubjectName, rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        foreach (var extension in root.Extensions)
        {
            if (extension is X509BasicConstraintsExtension or X509KeyUsageExtension or X509SubjectKeyIdentifierExtension)
            {
                request.CertificateExtensions.Add(extension);
            }
        }
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var issuer = new X500DistinguishedName("CN=ProxyMcp CA SPKI carrier (not a trust anchor), O=ProxyMcp");
        using var signed = request.Create(issuer, X509SignatureGenerator.CreateForRSA(rootKey, RSASignaturePadding.Pkcs1),
            root.NotBefore, root.NotAfter, serial);
        return X509CertificateLoader.LoadCertificate(signed.Export(X509ContentType.Cert));
    }

    private static (X509Certificate2 Root, RSA Key) CreateRoot()
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest(
            "CN=ProxyMcp CA (local interception), O=ProxyMcp, OU=generated on " + Environment.MachineName,
            key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var self = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
        var publicOnly = X509CertificateLoader.LoadCertificate(self.Export(X509ContentType.Cert));
        return (publicOnly, key);
    }

    private static void WriteOwnerOnly(string path, string contents)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(contents);
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead);
    }

    private static string EscapeDn(string value) =>
        value.Replace("\\", "\\\\").Replace(",", "\\,").Replace("+", "\\+").Replace("\"", "\\\"")
             .Replace("<", "\\<").Replace(">", "\\>").Replace(";", "\\;").Replace("=", "\\=");

    public void Dispose()
    {
        _rootKey.Dispose();
        _pinCarrier.Dispose();
        _root.Dispose();
    }
}
