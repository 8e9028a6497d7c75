using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace ProxyMcp.Proxy;

/// <summary>How clients should address a listener bound to a given address.</summary>
public static class ProxyAddress
{
    /// <summary>The URL a client on this machine uses: a wildcard bind is reached through loopback.</summary>
    public static string LocalUrl(IPAddress bindAddress, int port)
    {
        var host = bindAddress.Equals(IPAddress.Any) ? IPAddress.Loopback
            : bindAddress.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : bindAddress;
        return "http://" + new IPEndPoint(host, port);
    }

    /// <summary>The host other devices use: the first LAN IPv4 for a wildcard bind, else the bound address itself.</summary>
    public static string HostForDevices(IPAddress bindAddress)
    {
        if (bindAddress.Equals(IPAddress.Any) || bindAddress.Equals(IPAddress.IPv6Any))
        {
            return FirstLanIPv4()?.ToString() ?? IPAddress.Loopback.ToString();
        }
        return bindAddress.ToString();
    }

    private static IPAddress? FirstLanIPv4()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        }
        catch (NetworkInformationException)
        {
            return null;
        }
    }
}
