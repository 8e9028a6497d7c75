using System.Diagnostics.CodeAnalysis;

namespace ProxyMcp.Engine.Rules;

/// <summary>
/// Reads a URL the way the proxy reads a request target, so a simulated request meets the matchers exactly as live
/// traffic does: path and query as written (no escapes decoded, no dot segments removed), the scheme's default port
/// dropped from the URL (<c>http://h:80/x</c> is <c>http://h/x</c>), and no fragment (clients never send one).
/// </summary>
public static class RequestUrl
{
    /// <summary>Parsing options that leave the path and query exactly as written.</summary>
    public static readonly UriCreationOptions AsWritten = new() { DangerousDisablePathAndQueryCanonicalization = true };

    /// <summary>Parses an absolute URL, dropping any <c>#fragment</c>.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out Uri? uri)
    {
        var fragment = text.IndexOf('#');
        return Uri.TryCreate(fragment < 0 ? text : text[..fragment], AsWritten, out uri);
    }
}
