namespace ProxyMcp.Engine.Tls.Fingerprints;

/// <summary>
/// Salesforce JA3S server fingerprint: <c>SSLVersion,Cipher,Extensions</c> (decimal, extensions in wire order joined by
/// <c>-</c>), lower-case MD5 in <see cref="Hash"/>. SSLVersion is the ServerHello legacy_version, so TLS 1.3 reads 771 like
/// the reference implementation and Wireshark (not 772 as the old TypeScript server reported). Like the reference, no
/// GREASE filtering is applied: servers must not send GREASE.
/// </summary>
/// <param name="Text">The JA3S string ("ja3s_full" in Wireshark).</param>
/// <param name="Hash">32 lower-case hex digits.</param>
public sealed record Ja3s(string Text, string Hash)
{
    public static Ja3s Compute(ServerHello hello)
    {
        ArgumentNullException.ThrowIfNull(hello);
        var text = new FingerprintText(128);
        try
        {
            text.AppendDecimal(hello.LegacyVersion);
            text.Append(',');
            text.AppendDecimal(hello.CipherSuite);
            text.Append(',');
            text.AppendDecimalList(hello.ExtensionTypes.AsSpan(), skipGrease: false);
            return new Ja3s(text.ToString(), FingerprintText.Md5Hex(text.Text));
        }
        finally
        {
            text.Dispose();
        }
    }
}
