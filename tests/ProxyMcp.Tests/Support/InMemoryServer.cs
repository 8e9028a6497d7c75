using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Proxy;

namespace ProxyMcp.Tests.Support;

/// <summary>Our MCP server and the SDK's client joined by in-memory pipes, with a temporary data directory.</summary>
public sealed class InMemoryServer : IAsyncDisposable
{
    private readonly Pipe _clientToServer = new();
    private readonly Pipe _serverToClient = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TempDirectory _dataDirectory = new();
    private ServiceProvider _services = null!;
    private Task _serverTask = Task.CompletedTask;

    private InMemoryServer() { }

    public McpClient Client { get; private set; } = null!;

    public ProxyRuntime Runtime => _services.GetRequiredService<ProxyRuntime>();

    public string DataDirectory => _dataDirectory.Path;

    public static async Task<InMemoryServer> StartAsync(Func<RuntimeSettings, RuntimeSettings>? configure = null)
    {
        var server = new InMemoryServer();
        var settings = new RuntimeSettings { DataDirectory = server._dataDirectory.Path };
        settings = configure?.Invoke(settings) ?? settings;

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddProxyRuntime(settings);
        services.AddProxyMcpServer().WithStreamServerTransport(server._clientToServer.Reader.AsStream(), server._serverToClient.Writer.AsStream());
        server._services = services.BuildServiceProvider();
        server._serverTask = server._services.GetRequiredService<McpServer>().RunAsync(server._stop.Token);

        server.Client = await McpClient.CreateAsync(
            new StreamClientTransport(server._clientToServer.Writer.AsStream(), server._serverToClient.Reader.AsStream(), NullLoggerFactory.Instance),
            new McpClientOptions { DiscoverProbeTimeout = TimeSpan.FromSeconds(30) },
            NullLoggerFactory.Instance,
            TestTimeout.Token());
        return server;
    }

    public async Task<ToolCall> CallAsync(string tool, object? arguments = null)
    {
        var dictionary = arguments switch
        {
            null => new Dictionary<string, object?>(),
            IReadOnlyDictionary<string, object?> d => d,
            _ => arguments.GetType().GetProperties().ToDictionary(p => p.Name, p => p.GetValue(arguments)),
        };
        var result = await Client.CallToolAsync(tool, dictionary, cancellationToken: TestTimeout.Token());
        return ToolCall.From(result);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _stop.CancelAsync();
        _clientToServer.Writer.Complete();
        _serverToClient.Writer.Complete();
        try
        {
            await _serverTask;
        }
        catch (OperationCanceledException)
        {
        }
        await _services.DisposeAsync();
        _stop.Dispose();
        _dataDirectory.Dispose();
    }
}
