using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ProxyMcp.Engine.Listening;

/// <summary>
/// The logger factory of the listener's own web host. That host runs nothing but Kestrel, so its "Hosting failed to start"
/// error only ever repeats, with a stack trace, a start failure that <see cref="ProxyEngine.StartAsync"/> rethrows in the
/// proxy's terms (a busy port, a foreign address); the caller reports it once. Every other category passes through.
/// </summary>
internal sealed class ListenerHostLogging(ILoggerFactory inner) : ILoggerFactory
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    public ILogger CreateLogger(string categoryName) =>
        categoryName == HostCategory ? NullLogger.Instance : inner.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The inner factory belongs to the engine's owner, who disposes it.
    public void Dispose() { }
}
