using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// Session identifiers in proxy-mcp's shape, <c>YYYYMMDDHHMMSS_xxxxxxxx</c> (UTC time, up to 8 base-36 characters).
/// Every id that reaches a path is checked against this exact shape first: the original joined ids into paths
/// unchecked, so <c>proxy_delete_session("../..")</c> deleted arbitrary folders (spec weakness 23).
/// </summary>
public static partial class SessionId
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    [GeneratedRegex(@"\A[0-9]{14}_[0-9a-z]{1,8}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    public static string New(DateTimeOffset now)
    {
        Span<char> suffix = stackalloc char[8];
        for (var i = 0; i < suffix.Length; i++) suffix[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        return now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "_" + new string(suffix);
    }

    public static bool IsValid([NotNullWhen(true)] string? id) => id is not null && Shape().IsMatch(id);

    /// <summary>The id itself when well-formed; otherwise a <see cref="SessionException"/> the agent can act on.</summary>
    public static string Validate(string? id)
    {
        if (IsValid(id)) return id;
        throw new SessionException(
            $"Invalid session id '{id}': expected the shape YYYYMMDDHHMMSS_abc123 (14 digits, '_', up to 8 lower-case letters or digits), as listed by proxy_list_sessions.");
    }
}
