using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ProxyMcp.Proxy;

namespace ProxyMcp.Cli;

/// <summary>The default mode: one MCP session on stdin/stdout; ends when stdin closes or on SIGINT/SIGTERM.</summary>
public static class StdioTransportServer
{
    public static async Task<int> RunAsync(RuntimeSettings settings, int? proxyPort, CancellationToken cancellationToken)
    {
        if (!Console.IsInputRedirected) await ConnectHint.WriteAsync(Console.Error);

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        StderrLogging.Configure(builder.Logging);
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        builder.Services.AddProxyRuntime(settings);
        builder.Services.AddProxyMcpServer().WithStdioServerTransport();
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
