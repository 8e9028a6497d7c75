using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ProxyMcp.TestSupport.Endpoints;

/// <summary>Small fixed responses: /hello, /html, /status/{code}, /cookies, /redirect.</summary>
internal static class BasicEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/hello", Hello);
        routes.MapGet("/html", Html);
        routes.MapGet("/status/{code}", Status);
        routes.MapGet("/cookies", Cookies);
        routes.MapGet("/redirect", Redirect);
    }

    private static Task Hello(HttpContext context)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers["X-Origin"] = "test";
        return context.Response.WriteAsync(OriginServer.HelloBody, context.RequestAborted);
    }

    private static Task Html(HttpContext context)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(OriginServer.HtmlBody, context.RequestAborted);
    }

    private static Task Status(HttpContext context)
    {
        var raw = context.Request.RouteValues["code"] as string;
        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code is < 200 or > 599)
            return QueryValues.RejectAsync(context, "code", 200, 599);

        context.Response.StatusCode = code;
        // 204 and 304 must not carry a body; Kestrel would throw on the write.
        if (code is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
            return Task.CompletedTask;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync($"status {code}\n", context.RequestAborted);
    }

    private static Task Cookies(HttpContext context)
    {
        context.Response.Headers.Append("Set-Cookie", "origin_a=1; Path=/");
        context.Response.Headers.Append("Set-Cookie", "origin_b=2; Path=/; HttpOnly");
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("cookies set\n", context.RequestAborted);
    }

    private static Task Redirect(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = "/hello";
        return Task.CompletedTask;
    }
}
