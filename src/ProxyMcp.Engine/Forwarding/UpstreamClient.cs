using System.Net;
using System.Net.Security;

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
                RemoteCertificateValidationCallback = new Upstream.OriginTrust(options.UpstreamInsecure, options.ExtraTrustedRoots).CreateValidator(),
            },
        };
        return new HttpMessageInvoker(handler, disposeHandler: true);
    }
}
