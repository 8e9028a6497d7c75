using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Sessions;

/// <summary>An exchange waiting to be stored, with the complete bodies to keep (none in the preview profile).</summary>
public sealed record PendingExchange(Exchange Exchange, BodyInput? RequestBody = null, BodyInput? ResponseBody = null)
{
    /// <summary>The pending exchange for a live capture: its captured bodies when the profile keeps them.</summary>
    public static PendingExchange FromLive(Exchange exchange, CaptureProfile profile) => profile == CaptureProfile.Full
        ? new PendingExchange(exchange, BodyInput.FromCaptured(exchange.Bodies?.Request), BodyInput.FromCaptured(exchange.Bodies?.Response))
        : new PendingExchange(exchange);

    /// <summary>Deletes the engine's spool files once the bodies are stored (or dropped).</summary>
    public void ReleaseBodies() => Exchange.Bodies?.Dispose();

    /// <summary>Rough bytes this exchange will take on disk, for the disk cap and the queue bound.</summary>
    internal long EstimatedBytes
    {
        get
        {
            var request = Exchange.Request;
            long size = 512 + request.Url.Length * 3 + request.BodyPreview.Length + HeaderBytes(request.Headers);
            if (Exchange.Response is { } response) size += response.BodyPreview.Length + HeaderBytes(response.Headers);
            size += RequestBody?.Length ?? 0;
            size += ResponseBody?.Length ?? 0;
            return size;
        }
    }

    private static long HeaderBytes(HeaderList headers)
    {
        long total = 0;
        foreach (var (name, value) in headers) total += name.Length + value.Length + 8;
        // Stored twice: as JSON in details and as words in the text index.
        return total * 2;
    }
}
