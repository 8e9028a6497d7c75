using System.Runtime.InteropServices;
using ProxyMcp.Proxy;

namespace ProxyMcp.Cli;

/// <summary>--proxy-only: the proxy alone, no MCP, until SIGINT or SIGTERM (what the benchmarks drive).</summary>
public static class ProxyOnlyRunner
{
    public static async Task<int> RunAsync(RuntimeSettings settings, int port, CancellationToken cancellationToken)
    {
        using var loggerFactory = StderrLogging.CreateFactory();
        await using var runtime = new ProxyRuntime(settings, loggerFactory);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // we stop the proxy ourselves, then return
            stop.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        if (!await Launcher.StartProxyAtLaunchAsync(runtime, port, cancellationToken)) return 1;
        var endPoint = runtime.EndPoint!;
        await Console.Error.WriteLineAsync($"proxy listening on http://{endPoint}");
        await Console.Error.WriteLineAsync($"CA certificate: {runtime.CertificatePath}");

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        await runtime.StopAsync(CancellationToken.None);
        await Console.Error.WriteLineAsync("proxy stopped");
        return 0;
    }
}
