using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Engine.Rules;

namespace ProxyMcp.Engine.Forwarding;

/// <summary>Answers a request from a mock rule without contacting any origin.</summary>
internal static class MockResponder
{
    public static async Task WriteAsync(HttpContext context, RuleHandler handler, ForwardingContext forwarding)
    {
        var status = handler.Status ?? 200;
        var body = Encoding.UTF8.GetBytes(handler.Body ?? "");
        var recorded = new HeaderList();
        context.Response.StatusCode = status;
        foreach (var (name, value) in handler.Headers ?? new Dictionary<string, string>())
        {
            // Framing and connection headers are Kestrel's to write: a mock's "Transfer-Encoding: chunked" over an
            // unchunked body (or "Connection" on HTTP/2) would make a response the client cannot parse.
            if (HopByHopHeaders.IsFraming(name)) continue;
            context.Response.Headers.Append(name, value);
            recorded.Add(name, value);
        }
        // 1xx, 204 and 304 responses have no body by definition (Kestrel refuses a Content-Length on them).
        if (!StatusRules.AllowsBody(status)) body = [];
        else
        {
            context.Response.ContentLength = body.Length;
            recorded.Add("content-length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        forwarding.StatusCode = status;
        forwarding.StatusMessage = ReasonPhrases.GetReasonPhrase(status);
        forwarding.ResponseHeaders = recorded;
        forwarding.ResponseHeadersMs = forwarding.ElapsedMs;
        // A mock never reads the request body for an origin; drain it so the tap records it and keep-alive survives.
        await DrainAsync(context, forwarding);
        if (!HttpMethods.IsHead(context.Request.Method) && body.Length > 0)
        {
            forwarding.ResponseBody.Observe(body);
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
        await context.Response.CompleteAsync();
        forwarding.ResponseDoneMs = forwarding.ElapsedMs;
    }

    private static async Task DrainAsync(HttpContext context, ForwardingContext forwarding)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
                forwarding.RequestBody.Observe(buffer.AsSpan(0, read));
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException) { }
    }
}
