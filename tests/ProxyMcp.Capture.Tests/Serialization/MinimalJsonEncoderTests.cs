using System.Text.Json;
using System.Text.Json.Nodes;
using ProxyMcp.Capture.Serialization;

namespace ProxyMcp.Capture.Tests.Serialization;

public sealed class MinimalJsonEncoderTests
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = MinimalJsonEncoder.Instance };

    private static string Write(string value) => JsonValue.Create(value).ToJsonString(Options);

    [Fact]
    public void Emoji_and_other_scripts_are_written_as_they_are()
    {
        Assert.Equal("\"a😀中é<>&'\"", Write("a😀中é<>&'"));
    }

    [Fact]
    public void What_json_requires_is_escaped_and_reads_back_unchanged()
    {
        var value = "quote \" backslash \\ newline \n tab \t nul \0 bell \u0007 end";
        var json = Write(value);

        Assert.Equal("\"quote \\\" backslash \\\\ newline \\n tab \\t nul \\u0000 bell \\u0007 end\"", json);
        Assert.Equal(value, JsonSerializer.Deserialize<string>(json));
    }

    [Fact]
    public void An_unpaired_surrogate_never_makes_invalid_json()
    {
        var json = Write("x\uD83Dy\uDE00z");

        Assert.DoesNotContain('\uD83D', json);
        Assert.DoesNotContain('\uDE00', json);
        using var parsed = JsonDocument.Parse(json);
        Assert.StartsWith("x", parsed.RootElement.GetString());
    }

    [Fact]
    public void A_preview_of_emoji_stays_near_its_own_length()
    {
        var preview = "a" + string.Concat(Enumerable.Repeat("😀", 2000));

        Assert.Equal(preview.Length + 2, Write(preview).Length); // was 6 characters per UTF-16 unit with the relaxed encoder
    }
}
