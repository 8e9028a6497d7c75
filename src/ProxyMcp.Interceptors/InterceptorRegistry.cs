using System.Net;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Interceptors.Browser;
using ProxyMcp.Interceptors.Linking;
using ProxyMcp.Interceptors.Process;

namespace ProxyMcp.Interceptors;

/// <summary>
/// The interceptors of the process, in registration order. One instance for the whole process, shared by every MCP session:
/// proxy-mcp rebuilt its registry for each new HTTP client and orphaned the targets of earlier ones (weakness 26).
/// </summary>
public sealed class InterceptorRegistry
{
    private readonly IReadOnlyList<Interceptor> _interceptors;
    private readonly SocketOwnerLookup _sockets;

    public InterceptorRegistry(IEnumerable<Interceptor> interceptors, SocketOwnerLookup? sockets = null)
    {
        _interceptors = [.. interceptors];
        var duplicate = _interceptors.GroupBy(i => i.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Interceptor '{duplicate.Key}' is registered twice.", nameof(interceptors));
        _sockets = sockets ?? new SocketOwnerLookup();
    }

    /// <summary>
    /// The interceptors of this build, in proxy-mcp's registration order: "terminal" and "browser" so far (android-adb,
    /// android-frida and docker come with their own issues). <paramref name="fileDirectory"/> receives the CA files
    /// handed to spawned programs; <paramref name="browser"/> says which Chromium to run.
    /// </summary>
    public static InterceptorRegistry CreateDefault(string fileDirectory, BrowserOptions? browser = null) =>
        new([new ProcessInterceptor(new CaBundleFiles(fileDirectory)), new BrowserInterceptor(browser)]);

    public IReadOnlyList<Interceptor> Interceptors => _interceptors;

    public Interceptor? Find(string id) => _interceptors.FirstOrDefault(i => string.Equals(i.Id, id, StringComparison.Ordinal));

    public T? Find<T>() where T : Interceptor => _interceptors.OfType<T>().FirstOrDefault();

    /// <summary>The interceptor for an activation; throws with proxy-mcp's generic activation messages when it is unknown or unavailable.</summary>
    public async Task<Interceptor> GetActivableAsync(string id, CancellationToken cancellationToken = default)
    {
        var interceptor = Find(id)
            ?? throw new InterceptorException($"Interceptor '{id}' not found. Available: {string.Join(", ", _interceptors.Select(i => i.Id))}");
        if (!await interceptor.IsActivableAsync(cancellationToken))
        {
            throw new InterceptorException($"Interceptor '{id}' is not activable. Required tooling may be missing.");
        }
        return interceptor;
    }

    /// <summary>Metadata of every interceptor, in registration order (availability checks run concurrently).</summary>
    public async Task<IReadOnlyList<InterceptorMetadata>> DescribeAllAsync(CancellationToken cancellationToken = default) =>
        await Task.WhenAll(_interceptors.Select(i => i.DescribeAsync(cancellationToken)));

    /// <summary>Metadata of one interceptor; unknown id → "Interceptor '&lt;id&gt;' not found" (spec wording).</summary>
    public Task<InterceptorMetadata> DescribeAsync(string id, CancellationToken cancellationToken = default) =>
        (Find(id) ?? throw new InterceptorException($"Interceptor '{id}' not found")).DescribeAsync(cancellationToken);

    /// <summary>
    /// Deactivates every target of every interceptor (interceptor_deactivate_all, and proxy_stop). All interceptors are
    /// attempted; failures are reported together as "Errors during deactivateAll: &lt;id&gt;: &lt;error&gt;; …".
    /// </summary>
    public async Task DeactivateAllAsync(CancellationToken cancellationToken = default)
    {
        var errors = new List<string>();
        foreach (var interceptor in _interceptors)
        {
            try
            {
                await interceptor.DeactivateAllAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                errors.Add($"{interceptor.Id}: {e.Message}");
            }
        }
        if (errors.Count > 0) throw new InterceptorException("Errors during deactivateAll: " + string.Join("; ", errors));
    }

    /// <summary>
    /// <see cref="DeactivateAllAsync"/> for proxy_stop and shutdown, where failures must not stop the rest of the teardown:
    /// returns the failure message instead of throwing (null when all went well).
    /// </summary>
    public async Task<string?> TryDeactivateAllAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await DeactivateAllAsync(cancellationToken);
            return null;
        }
        catch (InterceptorException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// The target whose process (or a descendant of it) holds the client side of a connection to the proxy, found from
    /// the client's endpoint as the listener saw it. Null when no target owns it, the socket is already closed, or the
    /// platform cannot tell (only Linux can). Cheap when no target has a process.
    /// </summary>
    public TargetLink? TryFindTargetFor(IPEndPoint clientEndPoint)
    {
        if (!AnyTargetProcesses()) return null;
        var candidates = new List<(Interceptor Interceptor, TargetProcess Process)>();
        foreach (var interceptor in _interceptors)
        {
            foreach (var process in interceptor.TargetProcesses) candidates.Add((interceptor, process));
        }
        if (candidates.Count == 0) return null;
        var owner = _sockets.FindOwner(clientEndPoint, candidates.Select(c => c.Process.Pid).ToArray());
        if (owner is not { } pid) return null;
        var (match, target) = candidates.First(c => c.Process.Pid == pid);
        return new TargetLink(match.Id, target.TargetId, pid);
    }

    /// <summary>
    /// Traces a finished exchange to a target and tells its interceptor. Best effort: when the client has already closed
    /// the connection (a short-lived curl), its socket is gone and nothing is linked; resolving at connection accept time
    /// (the engine calling <see cref="TryFindTargetFor"/>) does not have that race.
    /// </summary>
    public TargetLink? LinkExchange(Exchange exchange)
    {
        if (!AnyTargetProcesses()) return null;
        if (exchange.ClientEndPoint is not { } text || !IPEndPoint.TryParse(text, out var endPoint)) return null;
        var link = TryFindTargetFor(endPoint);
        if (link is not null) RecordLink(link, exchange.Id);
        return link;
    }

    /// <summary>Credits an exchange to the target the engine identified when it accepted the connection.</summary>
    public void RecordLink(string targetId, string exchangeId)
    {
        foreach (var interceptor in _interceptors)
        {
            if (interceptor.TargetProcesses.Any(p => p.TargetId == targetId) || interceptor.ActiveTargets.Any(t => t.Id == targetId))
            {
                interceptor.OnExchangeLinked(targetId, exchangeId);
                return;
            }
        }
    }

    /// <summary>Credits an exchange to a target found earlier (e.g. by the engine when it accepted the connection).</summary>
    public void RecordLink(TargetLink link, string exchangeId) => Find(link.InterceptorId)?.OnExchangeLinked(link.TargetId, exchangeId);

    private bool AnyTargetProcesses()
    {
        for (var i = 0; i < _interceptors.Count; i++)
        {
            if (_interceptors[i].HasTargetProcesses) return true;
        }
        return false;
    }
}
