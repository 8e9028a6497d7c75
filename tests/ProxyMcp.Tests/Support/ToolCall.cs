using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace ProxyMcp.Tests.Support;

/// <summary>A tool result unpacked: the single text item parsed as JSON, the isError flag and the raw text.</summary>
public sealed record ToolCall(JsonElement Json, bool IsError, string Text)
{
    public static ToolCall From(CallToolResult result)
    {
        var block = Assert.IsType<TextContentBlock>(Assert.Single(result.Content));
        using var document = JsonDocument.Parse(block.Text);
        return new ToolCall(document.RootElement.Clone(), result.IsError == true, block.Text);
    }

    public string Status => Json.GetProperty("status").GetString()!;

    public string Error => Json.GetProperty("error").GetString()!;

    public JsonElement this[string name] => Json.GetProperty(name);

    /// <summary>Asserts success and the envelope shape: "status" is the first key.</summary>
    public ToolCall AssertSuccess()
    {
        Assert.False(IsError, Text);
        Assert.Equal("status", Json.EnumerateObject().First().Name);
        Assert.Equal("success", Status);
        return this;
    }

    /// <summary>Asserts the error envelope: exactly {"status":"error","error":…} with isError set; returns the message.</summary>
    public string AssertError()
    {
        Assert.True(IsError, Text);
        Assert.Equal(["status", "error"], Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("error", Status);
        return Error;
    }
}
