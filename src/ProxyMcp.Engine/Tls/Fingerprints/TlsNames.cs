using System.Net.Security;

namespace ProxyMcp.Engine.Tls.Fingerprints;

/// <summary>Display names for TLS protocol versions and cipher suites.</summary>
public static class TlsNames
{
    /// <summary>The names Node's <c>getProtocol()</c> used ("TLSv1" is TLS 1.0), kept for continuity; null when unknown.</summary>
    public static string? ProtocolName(ushort version) => version switch
    {
        0x0304 => "TLSv1.3",
        0x0303 => "TLSv1.2",
        0x0302 => "TLSv1.1",
        0x0301 => "TLSv1",
        0x0300 => "SSLv3",
        _ => null,
    };

    /// <summary>
    /// IANA registry name of a cipher suite, null for GREASE, signalling and unassigned values. The table is the BCL's
    /// <see cref="TlsCipherSuite"/> enum, whose member names are the IANA names.
    /// </summary>
    public static string? CipherSuiteName(ushort value)
    {
        var suite = (TlsCipherSuite)value;
        return Enum.IsDefined(suite) ? suite.ToString() : null;
    }
}
