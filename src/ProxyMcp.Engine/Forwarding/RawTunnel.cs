using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Engine.Listening;
using ProxyMcp.Engine.Upstream;

namespace ProxyMcp.Engine.Forwarding;

/// <summary>
/// Relays a CONNECT tunnel byte for byte to its target, unseen; captured as one CONNECT exchange with the client's
/// CONNECT head as the request and byte counts. Why the tunnel is raw is said in the body previews, which otherwise
/// would be empty for bytes that were not inspected; the headers stay what the client sent.
/// </summary>
internal sealed class RawTunnel(ExchangePublisher publisher, TunnelConnector connector, ILogger logger)
{
    public async Task RunAsync(IDuplexPipe client, string? clientEndPoint, string? clientTarget, ConnectHead head, string reason, CancellationToken cancel)
    {
        var (host, port) = (head.Host, head.Port);
        var started = Stopwatch.GetTimestamp();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long sent = 0, received = 0;
        ExchangeError? error = null;
        try
        {
            await using var upstream = await connector.ConnectAsync(host, port, cancel);
            var toUpstream = PumpAsync(client.Input, upstream, n => sent += n, cancel);
            var toClient = PumpAsync(upstream, client.Output, n => received += n, cancel);
            await Task.WhenAny(toUpstream, toClient);
            // One side finished: half-close towards the origin, let the other direction drain briefly, then tear down.
            if (upstream is NetworkStream network) network.Socket.Shutdown(SocketShutdown.Send);
            await Task.WhenAny(Task.WhenAll(toUpstream, toClient), Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            if (!cancel.IsCancellationRequested) error = UpstreamFailure.Classify(ex, $"{host}:{port}", timedOut: ex is OperationCanceledException);
            logger.LogDebug(ex, "Tunnel to {Host}:{Port} ended", host, port);
        }
        var duration = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        publisher.Publish(static s => new Exchange
        {
            Id = ExchangeIds.NewId(),
            Timestamp = s.timestamp,
            HttpVersion = "HTTP/1.1",
            Request = new ExchangeRequest
            {
                Method = "CONNECT",
                Url = $"tcp://{FormatHost(s.head.Host)}:{s.head.Port}",
                Hostname = s.head.Host,
                Path = s.head.Target,
                Headers = s.head.Headers,
                BodyPreview = Marker(s.reason, s.sent, "to the origin"),
                BodySize = s.sent,
            },
            Response = s.error is null
                ? new ExchangeResponse
                {
                    StatusCode = 200, StatusMessage = "Connection Established", Headers = [],
                    BodyPreview = Marker(s.reason, s.received, "from the origin"), BodySize = s.received,
                }
                : null,
            Duration = Math.Round(s.duration),
            Error = s.error,
            Timings = new ExchangeTimings { ResponseDoneMs = s.duration },
            ClientEndPoint = s.clientEndPoint,
            ClientTarget = s.clientTarget,
        }, (timestamp, head, reason, sent, received, error, duration, clientEndPoint, clientTarget));
    }

    /// <summary>What the preview says instead of bytes the tunnel did not inspect.</summary>
    public static string Marker(string reason, long bytes, string direction) =>
        $"[raw tunnel ({reason}): {bytes} bytes relayed {direction}, not inspected]";

    private static string FormatHost(string host) => host.Contains(':') ? $"[{host}]" : host;

    private static async Task PumpAsync(PipeReader from, Stream to, Action<int> count, CancellationToken cancel)
    {
        try
        {
            while (true)
            {
                var result = await from.ReadAsync(cancel);
                foreach (var segment in result.Buffer)
                {
                    await to.WriteAsync(segment, cancel);
                    count(segment.Length);
                }
                from.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled) break;
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException) { }
    }

    private static async Task PumpAsync(Stream from, PipeWriter to, Action<int> count, CancellationToken cancel)
    {
        try
        {
            while (true)
            {
                var memory = to.GetMemory(16 * 1024);
                var read = await from.ReadAsync(memory, cancel);
                if (read == 0) break;
                to.Advance(read);
                count(read);
                var flush = await to.FlushAsync(cancel);
                if (flush.IsCompleted) break;
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException) { }
    }
}
