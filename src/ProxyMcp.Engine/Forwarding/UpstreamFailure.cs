using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Engine.Forwarding;

/// <summary>Names what broke on the way to the origin, in words an agent (and a human reading a 502) can act on.</summary>
internal static class UpstreamFailure
{
    public static ExchangeError Classify(Exception exception, string target, bool timedOut)
    {
        if (timedOut) return new(ExchangeErrorKind.Timeout, $"Timed out waiting for {target}");
        if (Find<Listening.ProxyLoopException>(exception) is { } loop) return new(ExchangeErrorKind.Loop, loop.Message);
        var socket = Find<SocketException>(exception);
        if (socket is not null)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData =>
                    new(ExchangeErrorKind.DnsFailure, $"DNS lookup failed for {target}: {socket.Message}"),
                SocketError.ConnectionRefused =>
                    new(ExchangeErrorKind.ConnectionRefused, $"Connection refused by {target}"),
                SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown =>
                    new(ExchangeErrorKind.ResponseBodyFromOrigin, $"Connection reset by {target}"),
                SocketError.TimedOut => new(ExchangeErrorKind.Timeout, $"Connecting to {target} timed out"),
                _ => new(ExchangeErrorKind.UpstreamUnreachable, $"Cannot reach {target}: {socket.Message}"),
            };
        }
        if (Find<AuthenticationException>(exception) is { } tls)
        {
            return new(ExchangeErrorKind.UpstreamTls, $"TLS handshake with {target} failed: {Innermost(tls).Message}");
        }
        if (exception is HttpRequestException http)
        {
            return http.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => new(ExchangeErrorKind.DnsFailure, $"DNS lookup failed for {target}"),
                HttpRequestError.SecureConnectionError => new(ExchangeErrorKind.UpstreamTls, $"TLS handshake with {target} failed: {Innermost(http).Message}"),
                HttpRequestError.ConnectionError => new(ExchangeErrorKind.UpstreamUnreachable, $"Cannot connect to {target}: {Innermost(http).Message}"),
                HttpRequestError.ResponseEnded => new(ExchangeErrorKind.UpstreamProtocol, $"{target} closed the connection before a full response"),
                HttpRequestError.InvalidResponse => new(ExchangeErrorKind.UpstreamProtocol, $"{target} sent an invalid HTTP response: {Innermost(http).Message}"),
                HttpRequestError.HttpProtocolError => new(ExchangeErrorKind.UpstreamProtocol, $"HTTP protocol error talking to {target}: {Innermost(http).Message}"),
                _ => new(ExchangeErrorKind.UpstreamUnreachable, $"Request to {target} failed: {Innermost(http).Message}"),
            };
        }
        if (exception is HttpIOException io)
        {
            return new(ExchangeErrorKind.ResponseBodyFromOrigin, $"{target} broke off the response: {io.Message}");
        }
        return new(ExchangeErrorKind.Other, $"Request to {target} failed: {Innermost(exception).Message}");
    }

    /// <summary>
    /// The same through an upstream proxy. Every socket the handler opens then goes to the proxy, so a failure to resolve
    /// or connect is the proxy's hop and is named so; anything later may be either hop and names both.
    /// </summary>
    public static ExchangeError ClassifyThroughProxy(Exception exception, string target, string proxy, bool timedOut)
    {
        if (!timedOut && Find<SocketException>(exception) is { } socket
            && socket.SocketErrorCode is not (SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown))
        {
            var failed = Classify(exception, proxy, timedOut);
            return failed with { Message = $"{failed.Message} (on the way to {target})" };
        }
        var error = Classify(exception, target, timedOut);
        return error with { Message = $"{error.Message} (via {proxy})" };
    }

    /// <summary>502 for a bad or unreachable origin, 504 when it did not answer in time, 508 when it is the proxy itself.</summary>
    public static int StatusFor(ExchangeError error) => error.Kind switch
    {
        ExchangeErrorKind.Timeout => 504,
        ExchangeErrorKind.Loop => 508,
        _ => 502,
    };

    private static T? Find<T>(Exception? exception) where T : Exception
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is T match) return match;
        }
        return null;
    }

    private static Exception Innermost(Exception exception)
    {
        var current = exception;
        while (current.InnerException is not null) current = current.InnerException;
        return current;
    }
}
