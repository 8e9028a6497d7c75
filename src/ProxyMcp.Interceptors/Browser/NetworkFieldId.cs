namespace ProxyMcp.Interceptors.Browser;

/// <summary>"nf.&lt;exchangeId&gt;.&lt;request|response&gt;.&lt;base64url(lower-cased header name)&gt;" — proxy-mcp's network field id.</summary>
public sealed record NetworkFieldId(string ExchangeId, string Direction, string HeaderName)
{
    public override string ToString() => $"nf.{ExchangeId}.{Direction}.{Base64Url.Encode(HeaderName.ToLowerInvariant())}";

    /// <summary>
    /// Splits an id into its four parts; null when it does not have exactly four starting "nf" or the name is not base64url.
    /// The direction is not checked here: the tool reports a wrong one with its own message.
    /// </summary>
    public static NetworkFieldId? TryParse(string id)
    {
        var parts = id.Split('.');
        if (parts.Length != 4 || parts[0] != "nf" || parts[1].Length == 0) return null;
        return Base64Url.TryDecode(parts[3], out var name) ? new NetworkFieldId(parts[1], parts[2], name) : null;
    }
}
