using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ProxyMcp.Interceptors.Linking;
using ProxyMcp.Interceptors.Tests.Support;

namespace ProxyMcp.Interceptors.Tests.Linking;

/// <summary>Against real sockets and processes (Linux only; elsewhere the lookup answers null by design).</summary>
public sealed class SocketOwnerLookupTests
{
    private readonly SocketOwnerLookup _lookup = new();

    [Fact]
    public async Task Finds_this_process_as_the_owner_of_its_own_client_socket()
    {
        if (!SocketOwnerLookup.IsSupported) return;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        using var accepted = await listener.AcceptTcpClientAsync();
        var clientEnd = (IPEndPoint)client.Client.LocalEndPoint!;

        Assert.Equal(Environment.ProcessId, _lookup.FindAnyOwner(clientEnd));
        Assert.Equal(Environment.ProcessId, _lookup.FindOwner(clientEnd, [Environment.ProcessId]));
        // TcpClient's socket is dual-mode, so it names itself [::ffff:127.0.0.1]; the listener sees the plain IPv4 form,
        // which is what the proxy reports. Both find the socket.
        var asListenerSeesIt = (IPEndPoint)accepted.Client.RemoteEndPoint!;
        Assert.Equal(Environment.ProcessId, _lookup.FindOwner(asListenerSeesIt, [Environment.ProcessId]));
    }

    [Fact]
    public async Task A_root_that_does_not_own_the_socket_is_not_reported()
    {
        if (!SocketOwnerLookup.IsSupported) return;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        using var sleeper = System.Diagnostics.Process.Start(new ProcessStartInfo("sleep", "30") { RedirectStandardInput = true })!;
        try
        {
            Assert.Null(_lookup.FindOwner((IPEndPoint)client.Client.LocalEndPoint!, [sleeper.Id]));
        }
        finally
        {
            sleeper.Kill();
        }
    }

    [Fact]
    public async Task Finds_a_socket_held_by_a_descendant_of_the_root()
    {
        if (!SocketOwnerLookup.IsSupported || !Tools.Has("python3")) return;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        // sh stays the parent (the trailing command stops it from exec'ing python in its place).
        var script = $"import socket,time; s=socket.create_connection(('127.0.0.1',{port})); time.sleep(30)";
        var start = new ProcessStartInfo("sh") { RedirectStandardInput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"python3 -c \"{script}\"; true");
        using var shell = System.Diagnostics.Process.Start(start)!;
        try
        {
            using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(15));
            var childEnd = (IPEndPoint)accepted.Client.RemoteEndPoint!;

            Assert.Equal(shell.Id, _lookup.FindOwner(childEnd, [Environment.ProcessId + 1_000_000, shell.Id]));
            var owner = _lookup.FindAnyOwner(childEnd);
            Assert.NotNull(owner);
            Assert.NotEqual(shell.Id, owner); // The python child, not sh itself.
        }
        finally
        {
            shell.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task A_closed_socket_has_no_owner()
    {
        if (!SocketOwnerLookup.IsSupported) return;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        IPEndPoint clientEnd;
        using (var client = new TcpClient())
        {
            await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
            clientEnd = (IPEndPoint)client.Client.LocalEndPoint!;
        }

        Assert.Null(_lookup.FindOwner(clientEnd, [Environment.ProcessId]));
    }
}
