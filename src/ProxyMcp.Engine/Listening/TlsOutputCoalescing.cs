using System.IO.Pipelines;
using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace ProxyMcp.Engine.Listening;

/// <summary>
/// Connection middleware between Kestrel's TLS layer and its HTTP layer that hands the TLS stream whole frames.
/// </summary>
/// <remarks>
/// Kestrel's TLS output writes to SslStream one memory-pool block (4 KiB) at a time, so every 16 KiB HTTP/2 DATA frame
/// left as five TLS records (4 × 4 KiB and one of 9 bytes) and five sends. Writing through a pipe whose buffers hold a
/// whole frame turns that into one write per flush: fewer records to seal, fewer system calls (a 1 GiB h2 download
/// through the proxy: +50 % throughput, a third less CPU). HTTP/1.1 connections keep Kestrel's writer: their bodies already
/// leave in large blocks, and small responses gain nothing from the extra layer.
/// </remarks>
internal static class TlsOutputCoalescing
{
    /// <summary>Room for a maximum-size HTTP/2 frame (16 KiB payload plus its 9-byte header) in one buffer.</summary>
    private const int MinimumBufferBytes = 16 * 1024 + 512;

    public static async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var tls = connection.Features.Get<ISslStreamFeature>()?.SslStream;
        if (tls is null || !tls.NegotiatedApplicationProtocol.Equals(SslApplicationProtocol.Http2))
        {
            await next(connection);
            return;
        }
        var original = connection.Transport;
        var output = PipeWriter.Create(tls, new StreamPipeWriterOptions(minimumBufferSize: MinimumBufferBytes, leaveOpen: true));
        connection.Transport = new CoalescedPipe(original.Input, output);
        try
        {
            await next(connection);
        }
        finally
        {
            try
            {
                // Whatever the HTTP layer wrote last still goes out before Kestrel's TLS layer closes the stream.
                await output.CompleteAsync();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
            {
                // The client is gone; nothing left to deliver.
            }
            connection.Transport = original;
        }
    }

    private sealed class CoalescedPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
