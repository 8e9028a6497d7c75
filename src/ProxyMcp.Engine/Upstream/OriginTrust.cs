using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ProxyMcp.Engine.Upstream;

/// <summary>
/// How origin certificates are verified: the system store plus <paramref name="ExtraRoots"/> (--upstream-ca), or not at
/// all when <paramref name="Insecure"/>. One policy for live forwarding and replay, so both trust the same origins.
/// </summary>
public sealed record OriginTrust(bool Insecure, IReadOnlyList<X509Certificate2> ExtraRoots)
{
    /// <summary>System roots only, verification on.</summary>
    public static OriginTrust Default { get; } = new(false, []);

    public RemoteCertificateValidationCallback CreateValidator()
    {
        if (Insecure) return static (_, _, _, _) => true;
        var extraRoots = ExtraRoots;
        return (_, certificate, chain, errors) =>
        {
            if (errors == SslPolicyErrors.None) return true;
            // Only an untrusted chain can be rescued by an extra root; a name mismatch never is.
            if (extraRoots.Count == 0 || certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors) return false;
            return ChainsToExtraRoot(new X509Certificate2(certificate), chain, extraRoots);
        };
    }

    private static bool ChainsToExtraRoot(X509Certificate2 leaf, X509Chain? presented, IReadOnlyList<X509Certificate2> roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        foreach (var root in roots) chain.ChainPolicy.CustomTrustStore.Add(root);
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        return chain.Build(leaf);
    }
}
