using Microsoft.AspNetCore.Http;

namespace ProxyMcp.Engine.Forwarding;

/// <summary>Reads (a bounded part of) a request body ahead of forwarding, for rules that look at or rewrite it.</summary>
internal static class RequestBodyReader
{
    /// <summary>
    /// Reads up to <paramref name="limit"/> bytes; the request body is replaced so forwarding still sends every byte.
    /// Returns the bytes read and whether that was the whole body.
    /// </summary>
    public static async Task<(byte[] Bytes, bool Complete)> ReadPrefixAsync(HttpRequest request, int limit, CancellationToken cancel)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        var complete = false;
        while (buffer.Length < limit)
        {
            var read = await request.Body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, limit - buffer.Length)), cancel);
            if (read == 0)
            {
                complete = true;
                break;
            }
            buffer.Write(chunk, 0, read);
        }
        if (!complete)
        {
            // Exactly at the limit: one more read tells whether anything follows.
            var probe = new byte[1];
            var read = await request.Body.ReadAsync(probe, cancel);
            if (read == 0) complete = true;
            else buffer.Write(probe, 0, 1);
        }
        var bytes = buffer.ToArray();
        request.Body = complete ? new MemoryStream(bytes, writable: false) : new PrefixedStream(bytes, request.Body);
        return (bytes, complete);
    }
}
