using System.Net;
using System.Net.NetworkInformation;

namespace ProxyMcp.Engine.Listening;

/// <summary>The listener's own address, so requests aimed at the proxy itself are answered instead of looped.</summary>
internal sealed class ListenerAddress
{
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Addresses of this machine's interfaces (for a listener bound to any address).</summary>
    public IReadOnlyCollection<IPAddress> LocalAddresses { get; private set; } = [];

    public void Set(IPEndPoint endPoint)
    {
        EndPoint = endPoint;
        LocalAddresses = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .ToHashSet();
    }
}
