using System.Threading.Channels;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Capture.Sessions;

namespace ProxyMcp.Tools;

/// <summary>
/// Sends a long operation's progress as MCP notifications, in order, and lets the tool wait until all of them are out
/// before it returns its result: a client stops listening for a request's progress once the response arrives.
/// </summary>
internal sealed class ProgressPump : IProgress<SessionProgress>, IAsyncDisposable
{
    private readonly Channel<SessionProgress> _queue = Channel.CreateUnbounded<SessionProgress>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _pump;

    private ProgressPump(McpServer server, ProgressToken token) => _pump = PumpAsync(server, token);

    /// <summary>A pump when the client asked for progress (sent a progress token), else null.</summary>
    public static ProgressPump? For(RequestContext<CallToolRequestParams>? context) =>
        context?.Params?.ProgressToken is { } token ? new ProgressPump(context.Server, token) : null;

    public void Report(SessionProgress value) => _queue.Writer.TryWrite(value);

    private async Task PumpAsync(McpServer server, ProgressToken token)
    {
        await foreach (var value in _queue.Reader.ReadAllAsync())
        {
            try
            {
                await server.NotifyProgressAsync(token, new ProgressNotificationValue { Progress = value.Done, Total = value.Total, Message = value.Message });
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
        }
    }

    /// <summary>Waits until every reported value has been sent.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _pump;
    }
}
