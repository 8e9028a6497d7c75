using System.Text;

namespace ProxyMcp.Interceptors.Browser;

/// <summary>base64url without padding over UTF-8, as the storage and network-field ids use it.</summary>
internal static class Base64Url
{
    public static string Encode(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(string encoded, out string text)
    {
        text = "";
        if (encoded.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))) return false;
        var padded = encoded.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", 0 => "", _ => null };
        if (padded.Length % 4 != 0) return false;
        try
        {
            text = new UTF8Encoding(false, true).GetString(Convert.FromBase64String(padded));
            return true;
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            return false;
        }
    }
}
