using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ProxyMcp.Engine.Tests.Proxy;

/// <summary>A small SOCKS5 server (RFC 1928/1929, CONNECT only) that records who connected where, for chaining tests.</summary>
internal sealed class Socks5Server : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly (string User, string Password)? _credentials;

    public Socks5Server((string User, string Password)? credentials = null)
    {
        _credentials = credentials;
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>"host:port" of every CONNECT, with the user that authenticated (or null).</summary>
    public ConcurrentQueue<(string Target, string? User)> Connects { get; } = new();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadAsync(stream, 2);
                var methods = await ReadAsync(stream, head[1]);
                string? user = null;
                if (_credentials is { } expected)
                {
                    if (!methods.Contains((byte)2))
                    {
                        await stream.WriteAsync(new byte[] { 5, 0xFF });
                        return;
                    }
                    await stream.WriteAsync(new byte[] { 5, 2 });
                    var version = await ReadAsync(stream, 2);
                    var name = Encoding.UTF8.GetString(await ReadAsync(stream, version[1]));
                    var passwordLength = (await ReadAsync(stream, 1))[0];
                    var password = Encoding.UTF8.GetString(await ReadAsync(stream, passwordLength));
                    var ok = name == expected.User && password == expected.Password;
                    await stream.WriteAsync(new byte[] { 1, ok ? (byte)0 : (byte)1 });
                    if (!ok) return;
                    user = name;
                }
                else
                {
                    await stream.WriteAsync(new byte[] { 5, 0 });
                }
                var request = await ReadAsync(stream, 4);
                string host = request[3] switch
                {
                    1 => new IPAddress(await ReadAsync(stream, 4)).ToString(),
                    4 => new IPAddress(await ReadAsync(stream, 16)).ToString(),
                    3 => Encoding.ASCII.GetString(await ReadAsync(stream, (await ReadAsync(stream, 1))[0])),
                    _ => throw new IOException("bad address type"),
                };
                var portBytes = await ReadAsync(stream, 2);
                var port = portBytes[0] << 8 | portBytes[1];
                Connects.Enqueue(($"{host}:{port}", user));
                using var upstream = new TcpClient();
                await upstream.ConnectAsync(host, port, _stop.Token);
                await stream.WriteAsync(new byte[] { 5, 0, 0, 1, 127, 0, 0, 1, 0, 0 });
                var remote = upstream.GetStream();
                await Task.WhenAny(stream.CopyToAsync(remote, _stop.Token), remote.CopyToAsync(stream, _stop.Token));
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or EndOfStreamException) { }
        }
    }

    private static async Task<byte[]> ReadAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer);
        return buffer;
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        return ValueTask.CompletedTask;
    }
}
