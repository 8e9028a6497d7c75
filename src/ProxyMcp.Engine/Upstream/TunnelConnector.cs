using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace ProxyMcp.Engine.Upstream;

/// <summary>
/// Opens a raw TCP stream to host:port, directly or through the configured upstream (HTTP CONNECT or SOCKS), for tunnels
/// the proxy relays without looking inside. HTTP requests do not use this: SocketsHttpHandler chains those itself.
/// </summary>
/// <param name="isOwnListener">True for the proxy's own listening address: a tunnel that lands there is refused (it would loop).</param>
public sealed class TunnelConnector(UpstreamSelector selector, TimeSpan connectTimeout, Func<IPEndPoint, bool>? isOwnListener = null)
{
    public async Task<Stream> ConnectAsync(string host, int port, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(connectTimeout);
        var destination = new Uri($"https://{(host.Contains(':') ? $"[{host}]" : host)}:{port}/");
        var route = selector.Resolve(destination);
        if (route is null) return await OpenAsync(host, port, timeout.Token);

        var proxy = route.ProxyUri;
        var credential = selector.GetCredential(proxy, proxy.Scheme);
        Stream stream = await OpenAsync(proxy.IdnHost, proxy.Port, timeout.Token);
        try
        {
            switch (proxy.Scheme)
            {
                case "http":
                case "https":
                    if (proxy.Scheme == "https")
                    {
                        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = proxy.IdnHost }, timeout.Token);
                        stream = tls;
                    }
                    await HttpConnectAsync(stream, host, port, credential, route, timeout.Token);
                    break;
                case "socks5":
                    await Socks5Async(stream, host, port, credential, route, timeout.Token);
                    break;
                case "socks4":
                case "socks4a":
                    await Socks4Async(stream, host, port, credential, proxy.Scheme == "socks4a", route, timeout.Token);
                    break;
                default:
                    throw new IOException($"Upstream proxy scheme '{proxy.Scheme}' cannot carry raw tunnels");
            }
            return stream;
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    private async Task<Stream> OpenAsync(string host, int port, CancellationToken cancel)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancel);
            if (isOwnListener is not null && socket.RemoteEndPoint is IPEndPoint remote && isOwnListener(remote))
            {
                throw new Listening.ProxyLoopException($"{host}:{port}", Listening.ListenerAddress.Describe(remote));
            }
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task HttpConnectAsync(Stream stream, string host, int port, NetworkCredential? credential, UpstreamRoute route,
        CancellationToken cancel)
    {
        var authority = host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";
        var request = new StringBuilder($"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
        if (credential is not null)
        {
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.UserName}:{credential.Password}"));
            request.Append($"Proxy-Authorization: Basic {token}\r\n");
        }
        request.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cancel);

        // Read the response head byte by byte: anything after it belongs to the tunnel.
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, cancel) == 0) throw new IOException($"Upstream proxy {route.Describe()} closed the connection during CONNECT");
            head.Append((char)one[0]);
            if (head.Length > 16 * 1024) throw new IOException($"Upstream proxy {route.Describe()} sent an oversized CONNECT response");
        }
        var statusLine = head.ToString().Split("\r\n", 2)[0];
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || parts[1] != "200")
            throw new IOException($"Upstream proxy {route.Describe()} refused CONNECT {authority}: {statusLine}");
    }

    private static async Task Socks5Async(Stream stream, string host, int port, NetworkCredential? credential, UpstreamRoute route,
        CancellationToken cancel)
    {
        byte[] greeting = credential is null ? [5, 1, 0] : [5, 2, 0, 2];
        await stream.WriteAsync(greeting, cancel);
        var choice = await ReadExactAsync(stream, 2, cancel);
        if (choice[0] != 5) throw new IOException($"{route.Describe()} is not a SOCKS5 proxy");
        if (choice[1] == 2)
        {
            if (credential is null) throw new IOException($"SOCKS5 proxy {route.Describe()} requires a user name and password");
            var user = Encoding.UTF8.GetBytes(credential.UserName);
            var pass = Encoding.UTF8.GetBytes(credential.Password);
            var auth = new byte[3 + user.Length + pass.Length];
            auth[0] = 1;
            auth[1] = (byte)user.Length;
            user.CopyTo(auth, 2);
            auth[2 + user.Length] = (byte)pass.Length;
            pass.CopyTo(auth, 3 + user.Length);
            await stream.WriteAsync(auth, cancel);
            var status = await ReadExactAsync(stream, 2, cancel);
            if (status[1] != 0) throw new IOException($"SOCKS5 proxy {route.Describe()} rejected the credentials");
        }
        else if (choice[1] != 0)
        {
            throw new IOException($"SOCKS5 proxy {route.Describe()} accepts none of our authentication methods");
        }

        var request = new List<byte> { 5, 1, 0 };
        if (IPAddress.TryParse(host, out var ip))
        {
            request.Add(ip.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)4 : (byte)1);
            request.AddRange(ip.GetAddressBytes());
        }
        else
        {
            var name = Encoding.ASCII.GetBytes(host);
            request.Add(3);
            request.Add((byte)name.Length);
            request.AddRange(name);
        }
        request.Add((byte)(port >> 8));
        request.Add((byte)port);
        await stream.WriteAsync(request.ToArray(), cancel);
        var reply = await ReadExactAsync(stream, 4, cancel);
        if (reply[1] != 0) throw new IOException($"SOCKS5 proxy {route.Describe()} could not connect to {host}:{port} (reply code {reply[1]})");
        var addressLength = reply[3] switch
        {
            1 => 4,
            4 => 16,
            3 => (await ReadExactAsync(stream, 1, cancel))[0],
            _ => throw new IOException($"SOCKS5 proxy {route.Describe()} sent an unknown address type"),
        };
        await ReadExactAsync(stream, addressLength + 2, cancel);
    }

    private static async Task Socks4Async(Stream stream, string host, int port, NetworkCredential? credential, bool remoteDns,
        UpstreamRoute route, CancellationToken cancel)
    {
        byte[] address;
        byte[]? hostName = null;
        if (IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork) address = ip.GetAddressBytes();
        else if (remoteDns)
        {
            address = [0, 0, 0, 1];
            hostName = Encoding.ASCII.GetBytes(host);
        }
        else
        {
            var resolved = (await Dns.GetHostAddressesAsync(host, AddressFamily.InterNetwork, cancel)).FirstOrDefault()
                           ?? throw new IOException($"DNS lookup failed for {host}");
            address = resolved.GetAddressBytes();
        }
        var user = Encoding.ASCII.GetBytes(credential?.UserName ?? "");
        var request = new List<byte> { 4, 1 };
        var portBytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(portBytes, (ushort)port);
        request.AddRange(portBytes);
        request.AddRange(address);
        request.AddRange(user);
        request.Add(0);
        if (hostName is not null)
        {
            request.AddRange(hostName);
            request.Add(0);
        }
        await stream.WriteAsync(request.ToArray(), cancel);
        var reply = await ReadExactAsync(stream, 8, cancel);
        if (reply[1] != 0x5A) throw new IOException($"SOCKS4 proxy {route.Describe()} could not connect to {host}:{port} (reply code {reply[1]})");
    }

    private static async Task<byte[]> ReadExactAsync(Stream stream, int count, CancellationToken cancel)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, cancel);
        return buffer;
    }
}
