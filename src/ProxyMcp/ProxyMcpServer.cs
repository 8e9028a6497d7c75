using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Proxy;
using ProxyMcp.Resources;
using ProxyMcp.Tools;

namespace ProxyMcp;

/// <summary>Registers the proxy runtime and the MCP server (tools, resources, failure filter), whatever the transport.</summary>
public static class ProxyMcpServer
{
    /// <summary>The server name proxy-mcp reports at initialize (spec 10).</summary>
    public const string Name = "proxy";

    /// <summary>Our assembly's informational version, without the source-revision suffix.</summary>
    public static string Version { get; } = ReadVersion();

    public static IServiceCollection AddProxyRuntime(this IServiceCollection services, RuntimeSettings settings) =>
        services.AddSingleton(settings).AddSingleton<ProxyRuntime>();

    public static IMcpServerBuilder AddProxyMcpServer(this IServiceCollection services) =>
        services
            .PostConfigure<McpServerOptions>(options =>
            {
                if (options.ToolCollection is { } tools) ObjectParameterSchemas.Apply(tools);
            })
            .AddMcpServer(options => options.ServerInfo = new Implementation { Name = Name, Version = Version })
            .WithTools<LifecycleTools>()
            .WithTools<TrafficTools>()
            .WithTools<Tools.Rules.RuleTools>()
            .WithTools<Tools.Rules.ModificationTools>()
            .WithTools<Tools.Rules.UpstreamTools>()
            .WithTools<Tools.Tls.TlsTools>()
            .WithTools<InterceptorTools>()
            .WithTools<SessionTools>()
            .WithTools<Tools.Browser.BrowserTools>()
            .WithTools<Tools.Browser.BrowserDevtoolsTools>()
            .WithTools<Tools.Browser.HumanizerTools>()
            .WithResources<ProxyResources>()
            .WithResources<InterceptorResources>()
            .WithResources<SessionResources>()
            .WithResources<BrowserResources>()
            .WithListResourcesHandler(SessionResources.ListAsync)
            .WithCompleteHandler(SessionResources.CompleteAsync)
            .WithRequestFilters(filters => filters.AddCallToolFilter(ToolFailureFilter.Wrap));

    private static string ReadVersion()
    {
        var assembly = typeof(ProxyMcpServer).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
