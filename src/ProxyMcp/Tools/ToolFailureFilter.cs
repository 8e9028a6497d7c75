using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Results;

namespace ProxyMcp.Tools;

/// <summary>
/// Turns any exception a tool call raises into the error envelope with isError set, so a failing tool never
/// breaks the session and the agent always gets a message it can act on.
/// </summary>
internal static class ToolFailureFilter
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Wrap(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            try
            {
                return await next(request, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (McpProtocolException)
            {
                // Unknown tool and similar protocol faults stay JSON-RPC errors.
                throw;
            }
            catch (Exception e)
            {
                var tool = request.Params?.Name ?? "?";
                if (e is not McpException)
                {
                    request.Services?.GetService<ILoggerFactory>()?.CreateLogger(typeof(ToolFailureFilter))
                        .LogWarning(e, "Tool {Tool} failed", tool);
                }
                return ToolResult.Error(Describe(e));
            }
        };

    private static string Describe(Exception e) => e switch
    {
        McpException => e.Message,
        // Raised while binding arguments, before the tool body runs: wrong JSON type or a missing required argument.
        JsonException or ArgumentException => "Invalid arguments: " + e.Message,
        _ => e.Message,
    };
}
