using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace ProxyMcp.Cli;

/// <summary>The --auth-token check of the HTTP transport: "Authorization: Bearer &lt;token&gt;", compared in constant time.</summary>
public sealed class BearerTokenCheck(string token)
{
    private readonly byte[] _expected = Encoding.UTF8.GetBytes(token);

    public bool IsAuthorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var presented = Encoding.UTF8.GetBytes(header[scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, _expected);
    }
}
