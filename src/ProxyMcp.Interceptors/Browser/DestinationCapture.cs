using System.Collections.Concurrent;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Interceptors.Browser;

/// <summary>
/// Collects the exchanges captured while a navigation runs whose hostname is the destination host or a subdomain of it
/// (any exchange when the host is unknown). Fed from the live capture's "added" event, so it sees every new exchange
/// however full the capture is — proxy-mcp compared buffer lengths, which stop growing once the buffer is full
/// (weakness 48). Exchanges traced to another interceptor target are not this browser's and are skipped.
/// </summary>
public sealed class DestinationCapture
{
    private readonly ConcurrentQueue<Exchange> _matched = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly string? _host;
    private readonly string? _targetId;

    /// <param name="host">Lower-case destination hostname; "" or null to accept any exchange.</param>
    /// <param name="targetId">The browser's target id; exchanges tied to a different target are ignored.</param>
    public DestinationCapture(string? host, string? targetId)
    {
        _host = string.IsNullOrEmpty(host) ? null : host.TrimEnd('.').ToLowerInvariant();
        _targetId = targetId;
    }

    /// <summary>Subscribe this to the capture's added event.</summary>
    public void Offer(Exchange exchange)
    {
        if (!Matches(exchange)) return;
        _matched.Enqueue(exchange);
        _arrived.Release();
    }

    public bool Matches(Exchange exchange)
    {
        if (_targetId is not null && exchange.ClientTarget is { } owner && !string.Equals(owner, _targetId, StringComparison.Ordinal)) return false;
        if (_host is null) return true;
        var hostname = exchange.Request.Hostname.TrimEnd('.').ToLowerInvariant();
        if (hostname.StartsWith('[') && hostname.EndsWith(']')) hostname = hostname[1..^1];
        var host = _host.StartsWith('[') && _host.EndsWith(']') ? _host[1..^1] : _host;
        return hostname == host || hostname.EndsWith("." + host, StringComparison.Ordinal);
    }

    public IReadOnlyList<Exchange> Matched => [.. _matched];

    /// <summary>Waits until at least one matching exchange arrived (true) or the time is up (false).</summary>
    public async Task<bool> WaitForFirstAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_matched.IsEmpty) return true;
        if (timeout <= TimeSpan.Zero) return false;
        return await _arrived.WaitAsync(timeout, cancellationToken);
    }
}
