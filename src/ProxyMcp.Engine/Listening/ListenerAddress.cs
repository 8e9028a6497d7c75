using System.Net;
using System.Net.NetworkInformation;

namespace ProxyMcp.Engine.Listening;

/// <summary>The listener's own address, so requests aimed at the proxy itself are answered instead of looped.</summary>
internal sealed class ListenerAddress
{
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Addresses of this machine's interfaces (for a listener bound to any address).</summary>
    public IReadOnlyCollection<IPAddress> LocalAddresses { get; private set; } = [];

    /// <summary>True when a connection that reached <paramref name="remote"/> landed on this listener.</summary>
    public bool IsOwn(IPEndPoint remote)
    {
        if (EndPoint is not { } self || remote.Port != self.Port) return false;
        var address = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        if (self.Address.Equals(IPAddress.Any) || self.Address.Equals(IPAddress.IPv6Any))
        {
            return IPAddress.IsLoopback(address) || LocalAddresses.Contains(address);
        }
        return address.Equals(self.Address);
    }

    /// <summary>Throws <see cref="ProxyLoopException"/> when <paramref name="socket"/> is connected to this listener.</summary>
    public void ThrowIfOwn(System.Net.Sockets.Socket socket, string target)
    {
        if (socket.RemoteEndPoint is IPEndPoint remote && IsOwn(remote)) throw new ProxyLoopException(target, Describe(remote));
    }

    /// <summary>An endpoint as people write it (an IPv4-mapped IPv6 address shown as IPv4).</summary>
    public static string Describe(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port).ToString() : endPoint.ToString();

    public void Set(IPEndPoint endPoint)
    {
        EndPoint = endPoint;
        LocalAddresses = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .ToHashSet();
    }
}
