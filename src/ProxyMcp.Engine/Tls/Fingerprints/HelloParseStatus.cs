namespace ProxyMcp.Engine.Tls.Fingerprints;

/// <summary>Outcome of peeking at the first bytes of a TLS connection for a hello message.</summary>
public enum HelloParseStatus
{
    /// <summary>The whole hello message was present and parsed.</summary>
    Complete,

    /// <summary>Everything so far is plausible but the hello is not complete: read more and parse again from the start.</summary>
    NeedMoreData,

    /// <summary>The very first record is not a TLS handshake record: the peer speaks something else (plain HTTP, SSLv2...).</summary>
    NotTls,

    /// <summary>The bytes start like TLS but break the record or hello format, or exceed our size cap.</summary>
    Invalid,
}
