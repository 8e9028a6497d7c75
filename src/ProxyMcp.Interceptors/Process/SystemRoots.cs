using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ProxyMcp.Interceptors.Process;

/// <summary>The system's trusted roots as PEM text, for the bundle a spawned program verifies with.</summary>
internal static class SystemRoots
{
    /// <summary>Where distributions keep the OpenSSL-style bundle (the list Go's crypto/x509 searches).</summary>
    public static readonly IReadOnlyList<string> WellKnownBundles =
    [
        "/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo, Arch
        "/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL 6
        "/etc/ssl/ca-bundle.pem",                            // openSUSE
        "/etc/pki/tls/cacert.pem",                           // OpenELEC
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7+
        "/etc/ssl/cert.pem",                                 // Alpine, macOS, BSDs
    ];

    /// <summary>
    /// The bundle file in use: SSL_CERT_FILE when it names an existing file (the user already chose one), else the first
    /// well-known path that exists; null when there is none (Windows, a bare container).
    /// </summary>
    public static string? LocateBundle(string? sslCertFile, Func<string, bool>? exists = null)
    {
        exists ??= File.Exists;
        if (!string.IsNullOrWhiteSpace(sslCertFile) && exists(sslCertFile)) return sslCertFile;
        return WellKnownBundles.FirstOrDefault(exists);
    }

    /// <summary>The machine's root store exported as PEM, for systems without a bundle file.</summary>
    public static string ExportRootStore()
    {
        var pem = new StringBuilder();
        foreach (var location in new[] { StoreLocation.LocalMachine, StoreLocation.CurrentUser })
        {
            try
            {
                using var store = new X509Store(StoreName.Root, location);
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                foreach (var certificate in store.Certificates)
                {
                    pem.Append(certificate.ExportCertificatePem()).Append('\n');
                    certificate.Dispose();
                }
            }
            catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or PlatformNotSupportedException)
            {
                // No such store here.
            }
        }
        return pem.ToString();
    }
}
