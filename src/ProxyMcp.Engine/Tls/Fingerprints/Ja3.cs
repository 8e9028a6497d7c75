namespace ProxyMcp.Engine.Tls.Fingerprints;

/// <summary>
/// Salesforce JA3 client fingerprint: <c>SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats</c>, decimal
/// values joined by <c>-</c> in wire order, GREASE removed from ciphers, extensions and groups; <see cref="Hash"/> is the
/// lower-case MD5 of <see cref="Text"/>. Absent extensions leave empty fields (<c>769,4-5,,,</c>).
/// </summary>
/// <param name="Text">The JA3 string ("ja3_full" in Wireshark).</param>
/// <param name="Hash">32 lower-case hex digits.</param>
public sealed record Ja3(string Text, string Hash)
{
    public static Ja3 Compute(ClientHello hello)
    {
        ArgumentNullException.ThrowIfNull(hello);
        var text = new FingerprintText(256);
        try
        {
            text.AppendDecimal(hello.LegacyVersion);
            text.Append(',');
            text.AppendDecimalList(hello.CipherSuites.AsSpan(), skipGrease: true);
            text.Append(',');
            text.AppendDecimalList(hello.ExtensionTypes.AsSpan(), skipGrease: true);
            text.Append(',');
            text.AppendDecimalList(hello.SupportedGroups.AsSpan(), skipGrease: true);
            text.Append(',');
            var formats = hello.EcPointFormats.AsSpan();
            for (var i = 0; i < formats.Length; i++)
            {
                if (i > 0)
                {
                    text.Append('-');
                }

                text.AppendDecimal(formats[i]);
            }

            return new Ja3(text.ToString(), FingerprintText.Md5Hex(text.Text));
        }
        finally
        {
            text.Dispose();
        }
    }
}
