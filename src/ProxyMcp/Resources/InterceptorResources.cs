using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Proxy;
using ProxyMcp.Results;
using ProxyMcp.Tools;

namespace ProxyMcp.Resources;

/// <summary>proxy://interceptors (spec 7): the interceptors and their active targets, as interceptor_list shows them.</summary>
[McpServerResourceType]
public sealed class InterceptorResources(ProxyRuntime runtime)
{
    public const string InterceptorsUri = "proxy://interceptors";

    [McpServerResource(UriTemplate = InterceptorsUri, Name = "proxy_interceptors", MimeType = "application/json")]
    [Description("JSON array of interceptors with availability and active targets (interceptor_list's interceptors).")]
    public async Task<TextResourceContents> InterceptorsAsync(CancellationToken cancellationToken = default)
    {
        var all = await runtime.Interceptors.DescribeAllAsync(cancellationToken);
        return new TextResourceContents
        {
            Uri = InterceptorsUri,
            MimeType = "application/json",
            Text = JsonText.Indented(InterceptorTools.Describe(all)),
        };
    }
}
