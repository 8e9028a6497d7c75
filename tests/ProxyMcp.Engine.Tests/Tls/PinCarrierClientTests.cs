using System.Diagnostics;
using ProxyMcp.Engine.Tests.Proxy;
using ProxyMcp.TestSupport;

namespace ProxyMcp.Engine.Tests.Tls;

/// <summary>
/// Handshakes present the leaf plus the root's key under another issuer name (so Chromium's SPKI pin matches); TLS stacks
/// that trust our root must still verify the chain. OpenSSL (curl) and .NET are covered elsewhere; this checks GnuTLS,
/// the strictest of the usual path builders, through wget (Debian's wget and git use GnuTLS).
/// </summary>
public sealed class PinCarrierClientTests : OriginBehindProxy
{
    [Fact]
    public async Task Gnutls_wget_verifies_our_chain_with_only_the_root_trusted()
    {
        var wget = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "wget")).FirstOrDefault(File.Exists);
        if (wget is null) return;
        var start = new ProcessStartInfo(wget)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-q", "-O", "-", "--no-config", "-e", "use_proxy=yes", "-e", $"https_proxy={Proxy.Url}",
                     $"--ca-certificate={Proxy.CaPath}", $"{Origin.HttpsUrl}/hello" })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"wget exited {process.ExitCode}: {await stderr}");
        Assert.Equal(OriginServer.HelloBody, await stdout);
    }
}
