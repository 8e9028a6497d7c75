using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Engine.Forwarding;
using ProxyMcp.Engine.Tls;
using ProxyMcp.Engine.Tls.Fingerprints;

namespace ProxyMcp.Engine.Listening;

/// <summary>
/// First middleware on every client connection: answers CONNECT itself, then peeks at what the client sends next and
/// routes the connection to TLS interception, to Kestrel's HTTP pipeline as plain HTTP, or to a raw byte tunnel.
/// Nothing is consumed except the CONNECT head, so Kestrel and SslStream see the client's bytes untouched.
/// </summary>
internal sealed class ConnectionDispatcher(
    ProxyOptions options,
    RawTunnel rawTunnel,
    Func<System.Net.IPEndPoint, string?>? clientIdentifier,
    ILogger logger)
{
    private const byte TlsHandshakeRecord = 0x16;
    private static readonly byte[] ConnectEstablished = "HTTP/1.1 200 Connection Established\r\n\r\n"u8.ToArray();

    /// <summary>How long a tunnel may stay silent before we decide the server is expected to speak first.</summary>
    private static readonly TimeSpan FirstByteTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long a client may take to send its whole ClientHello.</summary>
    private static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Kestrel's HTTP layer, captured after the TLS middleware so plain connections can skip TLS.</summary>
    public ConnectionDelegate? Http { get; set; }

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate tls)
    {
        var feature = new ProxyConnectionFeature();
        connection.Features.Set(feature);
        // Identified now, while the client is certainly still connected (a short-lived client may be gone by the end).
        if (clientIdentifier is not null && connection.RemoteEndPoint is System.Net.IPEndPoint remote)
        {
            try
            {
                feature.ClientTarget = clientIdentifier(remote);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                logger.LogDebug(ex, "Could not identify the client of {Remote}", remote);
            }
        }
        var input = connection.Transport.Input;
        var cancel = connection.ConnectionClosed;
        try
        {
            var start = await PeekAsync(input, minimum: 1, cancel);
            if (start.IsEmpty) return;
            if (start.FirstSpan[0] == TlsHandshakeRecord)
            {
                feature.Mode = ConnectionMode.DirectTls;
                feature.ClientTls = await PeekClientHelloAsync(input, cancel);
                await HandshakeAsync(connection, tls);
                return;
            }

            start = await PeekAsync(input, minimum: 8, cancel);
            if (ConnectRequest.IsNotConnect(start))
            {
                await Http!(connection);
                return;
            }
            await HandleConnectAsync(connection, feature, tls, cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        catch (ConnectionResetException)
        {
        }
        catch (IOException ex)
        {
            logger.LogDebug(ex, "Client connection {Id} failed", connection.ConnectionId);
        }
    }

    private async Task HandleConnectAsync(ConnectionContext connection, ProxyConnectionFeature feature, ConnectionDelegate tls,
        CancellationToken cancel)
    {
        var input = connection.Transport.Input;
        ConnectHead head;
        while (true)
        {
            var result = await input.ReadAsync(cancel);
            var buffer = result.Buffer;
            if (ConnectRequest.TryParse(buffer, out head, out var headLength, out var error) || error is not null)
            {
                if (error is not null)
                {
                    input.AdvanceTo(buffer.End);
                    await WriteErrorAsync(connection.Transport.Output, 400, "Bad Request", error, cancel);
                    return;
                }
                input.AdvanceTo(buffer.GetPosition(headLength));
                break;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) return;
        }

        var (host, port) = (head.Host, head.Port);
        feature.TunnelHost = host;
        feature.TunnelPort = port;
        await connection.Transport.Output.WriteAsync(ConnectEstablished, cancel);

        if (PassthroughHosts.Matches(options.PassthroughHosts, host))
        {
            await rawTunnel.RunAsync(connection.Transport, connection.RemoteEndPoint?.ToString(), feature.ClientTarget, head, reason: "passthrough host", cancel);
            return;
        }

        var first = await PeekWithTimeoutAsync(input, cancel);
        if (first is null)
        {
            await rawTunnel.RunAsync(connection.Transport, connection.RemoteEndPoint?.ToString(), feature.ClientTarget, head, reason: "server speaks first", cancel);
            return;
        }
        if (first == TlsHandshakeRecord)
        {
            feature.Mode = ConnectionMode.TunnelTls;
            feature.ClientTls = await PeekClientHelloAsync(input, cancel);
            await HandshakeAsync(connection, tls);
        }
        else if (IsTokenChar(first.Value))
        {
            feature.Mode = ConnectionMode.TunnelPlain;
            await Http!(connection);
        }
        else
        {
            await rawTunnel.RunAsync(connection.Transport, connection.RemoteEndPoint?.ToString(), feature.ClientTarget, head, reason: "not HTTP or TLS", cancel);
        }
    }

    /// <summary>
    /// Reads the whole ClientHello (across records and segments) without consuming it, for JA3/JA4; SslStream then reads
    /// the same bytes. Null when the bytes are not a parsable hello — the TLS layer will report that itself.
    /// </summary>
    private async Task<ClientTls?> PeekClientHelloAsync(PipeReader input, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(HelloTimeout);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token);
                var buffer = result.Buffer;
                var parsed = ClientHelloParser.Parse(buffer);
                if (parsed.Status == HelloParseStatus.NeedMoreData && !result.IsCompleted && buffer.Length < ClientHelloParser.MaxInputLength)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }
                input.AdvanceTo(buffer.Start, buffer.Start);
                if (parsed.IsComplete) return ClientFingerprint.From(parsed.Hello);
                logger.LogDebug("No fingerprint for a TLS client: {Reason}", parsed.Reason ?? parsed.Status.ToString());
                return null;
            }
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// Hands the connection to the TLS layer from a pool thread. The ClientHello is already buffered, so the costly part
    /// of the handshake (key exchange, signature) runs right away on this thread, not on the socket event thread that
    /// serves every other connection's reads.
    /// </summary>
    private async Task HandshakeAsync(ConnectionContext connection, ConnectionDelegate tls)
    {
        await Task.Yield();
        try
        {
            await tls(connection);
        }
        catch (NotSupportedException ex)
        {
            // SslStream answers a ClientHello it cannot parse by skipping the certificate callback and then failing for
            // want of a certificate; Kestrel would log that as an unhandled error. It is only a broken client: debug.
            logger.LogDebug(ex, "TLS handshake on connection {ConnectionId} failed: the ClientHello could not be used", connection.ConnectionId);
        }
    }

    /// <summary>Waits until at least <paramref name="minimum"/> bytes are buffered (or the client is done) without consuming.</summary>
    private static async Task<ReadOnlySequence<byte>> PeekAsync(PipeReader input, int minimum, CancellationToken cancel)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancel);
            var buffer = result.Buffer;
            if (buffer.Length >= minimum || result.IsCompleted || result.IsCanceled)
            {
                // Examined nothing: the next reader gets these bytes back immediately.
                input.AdvanceTo(buffer.Start, buffer.Start);
                return buffer;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static async Task<byte?> PeekWithTimeoutAsync(PipeReader input, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(FirstByteTimeout);
        try
        {
            var buffer = await PeekAsync(input, 1, timeout.Token);
            return buffer.IsEmpty ? null : buffer.FirstSpan[0];
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return null;
        }
    }

    private static bool IsTokenChar(byte b) => b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z';

    private static async Task WriteErrorAsync(PipeWriter output, int status, string reason, string message, CancellationToken cancel)
    {
        var body = Encoding.UTF8.GetBytes("ProxyMcp: " + message + "\n");
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await output.WriteAsync(head, cancel);
        await output.WriteAsync(body, cancel);
    }
}
