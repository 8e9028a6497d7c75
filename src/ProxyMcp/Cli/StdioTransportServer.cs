using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ProxyMcp.Cli.Stdio;
using ProxyMcp.Proxy;

namespace ProxyMcp.Cli;

/// <summary>
/// The default mode: one MCP session on stdin/stdout; ends when stdin closes (after answering every request already
/// read, for at most <see cref="MaxAnswerWait"/>) or on SIGINT/SIGTERM.
/// </summary>
public static class StdioTransportServer
{
    /// <summary>How long requests still running when stdin closes may take to finish (humanizer_idle alone may take 300 s).</summary>
    public static readonly TimeSpan MaxAnswerWait = TimeSpan.FromMinutes(6);

    public static async Task<int> RunAsync(RuntimeSettings settings, int? proxyPort, CancellationToken cancellationToken)
    {
        if (!Console.IsInputRedirected) await ConnectHint.WriteAsync(Console.Error);

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        StderrLogging.Configure(builder.Logging);
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        builder.Services.AddProxyRuntime(settings);
        var openRequests = new OpenRequests();
        builder.Services.AddProxyMcpServer().WithStreamServerTransport(
            new AnsweringStdin(Console.OpenStandardInput(), openRequests, MaxAnswerWait),
            new AnsweringStdout(new BufferedStream(Console.OpenStandardOutput()), openRequests));
        using var host = builder.Build();

        if (proxyPort is { } port &&
            !await Launcher.StartProxyAtLaunchAsync(host.Services.GetRequiredService<ProxyRuntime>(), port, cancellationToken))
        {
            return 1;
        }
        await host.RunAsync(cancellationToken);
        return 0;
    }
}
