using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using ProxyMcp.Engine.Tls.Fingerprints;

namespace ProxyMcp.Engine.Tests.Tls;

/// <summary>A real TLS client and what its ClientHello must show in JA4 part a.</summary>
/// <param name="Name">Test case name.</param>
/// <param name="Tool">"curl", "openssl", or "dotnet" for an in-process <see cref="SslStream"/>.</param>
/// <param name="Arguments">Command line for the given listener port (ignored for dotnet).</param>
/// <param name="ExpectedPrefix">JA4 version, SNI flag, and ALPN code the options imply, e.g. "13d" + "h2".</param>
public sealed record RealClient(string Name, string Tool, Func<int, string[]> Arguments, string ExpectedPrefix)
{
    public override string ToString() => Name;
}

/// <summary>
/// Runs every real client once against a loopback listener, keeps the bytes of each ClientHello, and asks tshark (once,
/// over one synthetic capture holding all of them) for its own dissection. Shared by the tests of one class.
/// </summary>
public sealed class RealClientHelloCaptures : IAsyncLifetime
{
    public const string TsharkJa3Full = "tls.handshake.ja3_full";
    public const string TsharkJa3 = "tls.handshake.ja3";
    public const string TsharkJa4 = "tls.handshake.ja4";

    /// <summary>tshark fields the independent JA4 computation needs, in this order.</summary>
    public static readonly string[] TsharkJa4Inputs =
    [
        "tls.handshake.version", "tls.handshake.ciphersuite", "tls.handshake.extension.type", "tls.handshake.sig_hash_alg",
        "tls.handshake.extensions.supported_version", "tls.handshake.extensions_alpn_str",
        "tls.handshake.extensions_server_name",
    ];

    public static readonly IReadOnlyList<RealClient> Clients =
    [
        new("curl --http1.1 to an IP", "curl", p => Curl(p, sni: false, "--http1.1"), "13i" + "h1"),
        new("curl --http2 with SNI", "curl", p => Curl(p, sni: true, "--http2"), "13d" + "h2"),
        new("curl --tlsv1.2 --tls-max 1.2 with SNI", "curl", p => Curl(p, sni: true, "--tlsv1.2", "--tls-max", "1.2"), "12d" + "h2"),
        new("curl defaults to an IP", "curl", p => Curl(p, sni: false), "13i" + "h2"),
        new("openssl s_client -servername -alpn", "openssl",
            p => ["s_client", "-connect", $"127.0.0.1:{p}", "-servername", "x.test", "-alpn", "h2,http/1.1"], "13d" + "h2"),
        new("openssl s_client -noservername", "openssl",
            p => ["s_client", "-connect", $"127.0.0.1:{p}", "-noservername"], "13i" + "00"),
        new("dotnet SslStream h2+http/1.1", "dotnet", _ => [], "13d" + "h2"),
        new("dotnet SslStream TLS 1.2 http/1.1", "dotnet", _ => ["tls12"], "12d" + "h1"),
    ];

    private static readonly TimeSpan CaptureTimeout = TimeSpan.FromSeconds(20);

    public Dictionary<string, ClientCapture> Captures { get; } = [];

    /// <summary>tshark's values per client name: <see cref="TsharkJa3Full"/>, <see cref="TsharkJa3"/>, then the JA4 inputs, then JA4 when supported.</summary>
    public Dictionary<string, string[]> TsharkRows { get; } = [];

    public bool TsharkHasJa4 { get; private set; }

    public string? TsharkError { get; private set; }

    public async Task InitializeAsync()
    {
        foreach (var client in Clients)
        {
            Captures[client.Name] = await CaptureAsync(client);
        }

        if (Tshark.Path is null)
        {
            TsharkError = "tshark is not installed";
            return;
        }

        TsharkHasJa4 = await Tshark.SupportsFieldAsync(TsharkJa4);
        List<string> fields = [TsharkJa3Full, TsharkJa3, .. TsharkJa4Inputs];
        if (TsharkHasJa4)
        {
            fields.Add(TsharkJa4);
        }

        var packets = new List<PcapPacket>();
        var ports = new Dictionary<int, string>();
        for (var i = 0; i < Clients.Count; i++)
        {
            if (Captures[Clients[i].Name].Bytes is { } bytes)
            {
                var port = 40001 + i;
                packets.Add(new PcapPacket(bytes, (ushort)port, 443));
                ports[port] = Clients[i].Name;
            }
        }

        try
        {
            var rows = await Tshark.ReadFieldsAsync(PcapFile.Build(packets), fields);
            foreach (var (port, name) in ports)
            {
                if (rows.TryGetValue(port, out var row))
                {
                    TsharkRows[name] = row;
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            TsharkError = e.Message;
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string[] Curl(int port, bool sni, params string[] options)
    {
        List<string> arguments = ["-sk", "--max-time", "15", .. options];
        if (sni)
        {
            arguments.AddRange(["--resolve", $"example.test:{port}:127.0.0.1", $"https://example.test:{port}/"]);
        }
        else
        {
            arguments.Add($"https://127.0.0.1:{port}/");
        }

        return [.. arguments];
    }

    private static async Task<ClientCapture> CaptureAsync(RealClient client)
    {
        string? toolPath = null;
        if (client.Tool != "dotnet" && (toolPath = ExternalTool.Find(client.Tool)) is null)
        {
            return new ClientCapture(null, null, $"{client.Tool} is not installed", null);
        }

        using var cts = new CancellationTokenSource(CaptureTimeout);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var arguments = client.Arguments(port);
        var command = toolPath is null ? "SslStream " + string.Join(' ', arguments) : ExternalTool.Describe(toolPath, arguments);
        var process = toolPath is null ? null : ExternalTool.Start(toolPath, arguments);
        var dotnetClient = toolPath is null ? RunSslStreamClientAsync(port, arguments.Contains("tls12"), cts.Token) : null;
        try
        {
            using var socket = await listener.AcceptSocketAsync(cts.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);

            // Small pipe buffers: the hello arrives as a multi-segment sequence, the way the proxy will peek at it.
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 128, minimumReadSize: 64));
            while (true)
            {
                var read = await reader.ReadAsync(cts.Token);
                var result = ClientHelloParser.Parse(read.Buffer);
                if (result.IsComplete)
                {
                    var bytes = read.Buffer.Slice(0, result.Length).ToArray();
                    return new ClientCapture(bytes, result.Hello, null, command);
                }

                if (result.Status != HelloParseStatus.NeedMoreData || read.IsCompleted)
                {
                    return new ClientCapture(null, null, $"{command}: {result} after {read.Buffer.Length} bytes", command);
                }

                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End); // peek: consume nothing, wait for more
            }
        }
        catch (OperationCanceledException)
        {
            var detail = process is { HasExited: true } ? await process.StandardError.ReadToEndAsync() : "";
            return new ClientCapture(null, null, $"{command}: no ClientHello within {CaptureTimeout}. {detail}", command);
        }
        finally
        {
            if (process is not null)
            {
                await ExternalTool.StopAsync(process);
                process.Dispose();
            }

            if (dotnetClient is not null)
            {
                await dotnetClient;
            }
        }
    }

    private static async Task RunSslStreamClientAsync(int port, bool tls12, CancellationToken cancellationToken)
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            await using var ssl = new SslStream(tcp.GetStream());
            await ssl.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = "dotnet.test",
                    ApplicationProtocols = tls12
                        ? [SslApplicationProtocol.Http11]
                        : [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                    EnabledSslProtocols = tls12 ? SslProtocols.Tls12 : SslProtocols.None,
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                },
                cancellationToken);
        }
        catch (Exception e) when (e is IOException or AuthenticationException or SocketException or OperationCanceledException)
        {
            // Expected: the listener hangs up once it has the ClientHello.
        }
    }
}

/// <summary>The bytes of one real ClientHello (records included) and its parse, or why there is none.</summary>
public sealed record ClientCapture(byte[]? Bytes, ClientHello? Hello, string? Problem, string? Command);
