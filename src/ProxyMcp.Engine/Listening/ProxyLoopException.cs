namespace ProxyMcp.Engine.Listening;

/// <summary>
/// An upstream connection reached this proxy's own listener: forwarding on would feed every request back into the
/// proxy until memory ran out (a host name resolving to the proxy's address, or the proxy set as its own upstream).
/// </summary>
internal sealed class ProxyLoopException(string target, string reachedEndPoint)
    : IOException($"{target} is this proxy itself ({reachedEndPoint}): forwarding would loop")
{
}
