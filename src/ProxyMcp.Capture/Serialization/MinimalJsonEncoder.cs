using System.Text.Encodings.Web;

namespace ProxyMcp.Capture.Serialization;

/// <summary>
/// Escapes only what JSON requires: quotes, backslashes, control characters and unpaired surrogates. The built-in
/// encoders, even the relaxed one, also escape every character outside the Basic Multilingual Plane, so one emoji
/// becomes the 12 characters <c>\uD83D\uDE00</c> and a 4 KB preview of emoji could fill a whole capped tool result.
/// Used for text handed to agents, which is never embedded in HTML.
/// </summary>
public sealed class MinimalJsonEncoder : JavaScriptEncoder
{
    public static MinimalJsonEncoder Instance { get; } = new();

    private MinimalJsonEncoder() { }

    public override int MaxOutputCharactersPerInputCharacter => 6; // \uXXXX

    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar < 0x20 || unicodeScalar == '"' || unicodeScalar == '\\' || unicodeScalar is >= 0xD800 and <= 0xDFFF;

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (var i = 0; i < textLength; i++)
        {
            var c = text[i];
            if (c < 0x20 || c == '"' || c == '\\') return i;
            if (char.IsHighSurrogate(c) && i + 1 < textLength && char.IsLowSurrogate(text[i + 1]))
            {
                i++; // a well-formed pair is written as is
                continue;
            }
            if (char.IsSurrogate(c)) return i;
        }
        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var escape = unicodeScalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\b' => "\\b",
            '\f' => "\\f",
            _ when WillEncode(unicodeScalar) => $"\\u{unicodeScalar:X4}",
            _ => char.ConvertFromUtf32(unicodeScalar),
        };
        numberOfCharactersWritten = 0;
        if (escape.Length > bufferLength) return false;
        for (var i = 0; i < escape.Length; i++) buffer[i] = escape[i];
        numberOfCharactersWritten = escape.Length;
        return true;
    }
}
