using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace ProxyMcp.TestSupport.Endpoints;

/// <summary>Reads bounded numeric query (or route) parameters; a bad value is a test bug, so it fails loudly with a 400.</summary>
internal static class QueryValues
{
    public static bool TryGet(HttpContext context, string name, long defaultValue, long min, long max, out long value)
    {
        value = defaultValue;
        var raw = context.Request.Query[name].ToString();
        if (raw.Length == 0)
            return true;
        return long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }

    public static Task RejectAsync(HttpContext context, string name, long min, long max)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return context.Response.WriteAsync($"parameter '{name}' must be an integer in [{min}, {max}]\n", context.RequestAborted);
    }
}
