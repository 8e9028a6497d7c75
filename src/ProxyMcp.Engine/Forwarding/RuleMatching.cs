using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using ProxyMcp.Engine.Exchanges;
using ProxyMcp.Engine.Rules;

namespace ProxyMcp.Engine.Forwarding;

/// <summary>Finds the rule for a live request with the same matcher code the simulator uses.</summary>
internal static class RuleMatching
{
    /// <summary>Bytes of request body read for body conditions; the rest streams through unread.</summary>
    public const int BodyConditionLimit = 1024 * 1024;

    public static async Task<CompiledRule?> FindAsync(HttpContext context, RuleSet rules, ForwardingContext forwarding)
    {
        if (rules.Active.IsEmpty) return null;
        string? body = null;
        var canHaveBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? context.Request.ContentLength > 0;
        if (rules.NeedsRequestBody && canHaveBody)
        {
            var (bytes, _) = await RequestBodyReader.ReadPrefixAsync(context.Request, BodyConditionLimit, context.RequestAborted);
            body = DecodeText(bytes, forwarding.RequestHeaders.Get("Content-Encoding"));
        }
        var request = new RuleRequest
        {
            Method = forwarding.Method,
            Url = forwarding.Url,
            Hostname = forwarding.Hostname,
            Path = forwarding.Path,
            Headers = forwarding.RequestHeaders,
            Body = body ?? "",
        };
        return rules.FindMatch(request);
    }

    private static string DecodeText(byte[] bytes, string? contentEncoding)
    {
        try
        {
            return Encoding.UTF8.GetString(BodyCodec.Decode(bytes, contentEncoding));
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            // A prefix of a compressed body may not decode completely; match on what we have.
            return Encoding.UTF8.GetString(BodyPreview.Decode(bytes, contentEncoding) ?? bytes);
        }
    }
}
