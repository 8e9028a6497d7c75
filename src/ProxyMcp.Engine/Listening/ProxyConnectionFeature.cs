using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Engine.Listening;

/// <summary>What the connection middleware learnt about a client connection, for the request handler to read.</summary>
public sealed class ProxyConnectionFeature
{
    /// <summary>How the connection reached the HTTP layer.</summary>
    public ConnectionMode Mode { get; set; } = ConnectionMode.Plain;

    /// <summary>Host named by CONNECT (without brackets), or null for connections that did not use CONNECT.</summary>
    public string? TunnelHost { get; set; }

    public int TunnelPort { get; set; }

    /// <summary>SNI the client sent, when the connection is TLS.</summary>
    public string? SniHostname { get; set; }

    /// <summary>Client TLS facts (SNI, ALPN, fingerprints); set once the handshake is analysed.</summary>
    public ClientTls? ClientTls { get; set; }

    /// <summary>The local program that opened this connection, when an identifier is configured and recognised it.</summary>
    public string? ClientTarget { get; set; }

    /// <summary>The client's address as text, worked out by the connection's first request and reused by the rest.</summary>
    internal string? ClientEndPointText { get; set; }

    /// <summary><see cref="ClientTls"/> plus what the handshake settled (protocol, ALPN), built once per connection.</summary>
    internal ClientTls? SettledClientTls { get; set; }

    public bool IsTls => Mode is ConnectionMode.TunnelTls or ConnectionMode.DirectTls;
}

public enum ConnectionMode
{
    /// <summary>Plain HTTP straight to the listener (absolute-form proxy requests, or origin-form routed by Host).</summary>
    Plain,
    /// <summary>Plain HTTP inside a CONNECT tunnel.</summary>
    TunnelPlain,
    /// <summary>TLS inside a CONNECT tunnel, terminated with our certificate.</summary>
    TunnelTls,
    /// <summary>TLS straight to the listener, routed by SNI.</summary>
    DirectTls,
}
