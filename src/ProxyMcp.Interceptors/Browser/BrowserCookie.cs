using System.Security.Cryptography;
using System.Text;

namespace ProxyMcp.Interceptors.Browser;

/// <summary>A cookie of a browser context, with the fields Playwright reports.</summary>
/// <param name="Expires">Epoch seconds; −1 for a session cookie.</param>
/// <param name="SameSite">"Strict", "Lax" or "None"; null when the browser did not say.</param>
public sealed record BrowserCookie(
    string Name,
    string Value,
    string Domain,
    string Path,
    double Expires,
    bool HttpOnly,
    bool Secure,
    string? SameSite,
    string? PartitionKey = null)
{
    /// <summary>
    /// "ck_" + SHA-1 (lower-case hex) of name, domain, path, secure, httpOnly, sameSite, partitionKey joined with "|"
    /// (booleans as true/false, missing values empty) — proxy-mcp's id, stable across calls while the cookie's identity stays.
    /// </summary>
    public string Id
    {
        get
        {
            var identity = string.Join('|', Name, Domain, Path, Secure ? "true" : "false", HttpOnly ? "true" : "false", SameSite ?? "", PartitionKey ?? "");
            return "ck_" + Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(identity)));
        }
    }
}
