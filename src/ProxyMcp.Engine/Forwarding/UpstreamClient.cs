using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ProxyMcp.Engine.Forwarding;

/// <summary>The pooled client used for every request to origins: one SocketsHttpHandler per running listener.</summary>
internal static class UpstreamClient
{
    /// <param name="listener">The proxy's own listener: a connection that lands there is refused (it would loop).</param>
    public static HttpMessageInvoker Create(ProxyOptions options, IWebProxy upstreamProxies, Tls.ServerTlsObserver serverTls, Listening.ListenerAddress listener)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = true,
            Proxy = upstreamProxies,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            // The origin must see the client's headers, not ours: no traceparent or baggage injected.
            ActivityHeadersPropagator = null,
            ConnectTimeout = options.UpstreamTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            EnableMultipleHttp2Connections = true,
            MaxResponseHeadersLength = 256,
            InitialHttp2StreamWindowSize = 1024 * 1024,
            // Header values are carried byte for byte: Latin-1 maps every byte to one char and back, so a raw UTF-8
            // filename or a Latin-1 value passes through unchanged instead of failing the request.
            RequestHeaderEncodingSelector = static (_, _) => System.Text.Encoding.Latin1,
            ResponseHeaderEncodingSelector = static (_, _) => System.Text.Encoding.Latin1,
            ConnectCallback = async (context, cancel) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancel);
                    listener.ThrowIfOwn(socket, $"{context.DnsEndPoint.Host}:{context.DnsEndPoint.Port}");
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                var stream = new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                var origin = context.InitialRequestMessage.RequestUri is { } uri ? $"{uri.IdnHost}:{uri.Port}" : $"{context.DnsEndPoint.Host}:{context.DnsEndPoint.Port}";
                return serverTls.Watch(stream, origin);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = CreateValidator(options),
            },
        };
        return new HttpMessageInvoker(handler, disposeHandler: true);
    }

    private static RemoteCertificateValidationCallback CreateValidator(ProxyOptions options)
    {
        if (options.UpstreamInsecure) return static (_, _, _, _) => true;
        var extraRoots = options.ExtraTrustedRoots;
        return (_, certificate, chain, errors) =>
        {
            if (errors == SslPolicyErrors.None) return true;
            if (extraRoots.Count == 0 || certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors) return false;
            return ChainsToExtraRoot(new X509Certificate2(certificate), chain, extraRoots);
        };
    }

    private static bool ChainsToExtraRoot(X509Certificate2 leaf, X509Chain? presented, IReadOnlyList<X509Certificate2> roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        foreach (var root in roots) chain.ChainPolicy.CustomTrustStore.Add(root);
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        return chain.Build(leaf);
    }
}
