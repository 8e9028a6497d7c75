using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ProxyMcp.TestSupport.Endpoints;

/// <summary>
/// /ws: echoes every text and binary frame back with the same type and fragmentation; closes when the client does.
/// Accepts permessage-deflate when the client offers it.
/// </summary>
internal static class WebSocketEchoEndpoint
{
    public static void Map(IEndpointRouteBuilder routes) => routes.Map("/ws", EchoAsync);

    private static async Task EchoAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("websocket upgrade expected\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        using var socket = await context.WebSockets
            .AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = true })
            .ConfigureAwait(false);
        var cancellationToken = context.RequestAborted;
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, socket.CloseStatusDescription, cancellationToken)
                        .ConfigureAwait(false);
                    return;
                }

                // Echo frame by frame so large messages stream through without being assembled here.
                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client (or proxy) dropped the connection without a close handshake: nothing left to echo.
        }
    }
}
