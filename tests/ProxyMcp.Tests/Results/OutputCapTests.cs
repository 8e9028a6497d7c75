using System.Text.Json;
using System.Text.Json.Nodes;
using ProxyMcp.Results;

namespace ProxyMcp.Tests.Results;

public sealed class OutputCapTests
{
    private static JsonElement Parse(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    [Fact]
    public void A_small_result_is_returned_unchanged()
    {
        var result = new JsonObject { ["status"] = "success", ["items"] = new JsonArray(1, 2, 3) };

        Assert.Equal("""{"status":"success","items":[1,2,3]}""", OutputCap.Fit(result, new CapPage("items", 0, 3)));
    }

    [Fact]
    public void An_empty_page_with_a_huge_field_is_shortened_not_paged()
    {
        // proxy_search_traffic echoes its query: 70,000 chars and no match threw "Index was out of range".
        var result = new JsonObject { ["status"] = "success", ["query"] = new string('a', 70_000), ["matches"] = 0, ["total"] = 0, ["results"] = new JsonArray() };

        var text = OutputCap.Fit(result, new CapPage("results", 0, 0, CountProperty: "matches"));

        Assert.True(text.Length <= OutputCap.MaxChars);
        var json = Parse(text);
        Assert.Equal("success", json.GetProperty("status").GetString());
        Assert.True(json.GetProperty("truncated").GetBoolean());
        Assert.Contains("…[truncated", json.GetProperty("query").GetString());
        Assert.Equal(0, json.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public void A_long_array_keeps_the_largest_prefix_that_fits_and_paging_fields()
    {
        var items = new JsonArray();
        for (var i = 0; i < 5000; i++) items.Add(new JsonObject { ["id"] = i, ["url"] = $"https://example.com/{i}" });
        var result = new JsonObject { ["status"] = "success", ["total"] = 5000, ["offset"] = 100, ["showing"] = 5000, ["exchanges"] = items };

        var text = OutputCap.Fit(result, new CapPage("exchanges", 100, 5000));

        Assert.True(text.Length <= OutputCap.MaxChars);
        var json = Parse(text);
        Assert.Equal("status", json.EnumerateObject().First().Name);
        var showing = json.GetProperty("showing").GetInt32();
        Assert.Equal(showing, json.GetProperty("exchanges").GetArrayLength());
        Assert.InRange(showing, 100, 4999);
        Assert.True(json.GetProperty("truncated").GetBoolean());
        Assert.Equal(5000, json.GetProperty("total").GetInt32());
        Assert.Equal(100 + showing, json.GetProperty("next_offset").GetInt32());
        // Largest prefix: one more item would not fit.
        var oneMore = JsonSerializer.Serialize(items[showing]).Length + 1;
        Assert.True(text.Length + oneMore > OutputCap.MaxChars);
        Assert.Equal(showing - 1, json.GetProperty("exchanges")[showing - 1].GetProperty("id").GetInt32());
        Assert.Equal(5000, items.Count); // input untouched
    }

    [Fact]
    public void The_count_property_follows_the_shrunk_array()
    {
        var results = new JsonArray();
        for (var i = 0; i < 1000; i++) results.Add(new string('r', 100));
        var result = new JsonObject { ["status"] = "success", ["matches"] = 1000, ["total"] = 1000, ["results"] = results };

        var json = Parse(OutputCap.Fit(result, new CapPage("results", 0, 1000, CountProperty: "matches")));

        Assert.Equal(json.GetProperty("results").GetArrayLength(), json.GetProperty("matches").GetInt32());
        Assert.Equal(json.GetProperty("matches").GetInt32(), json.GetProperty("showing").GetInt32());
    }

    [Fact]
    public void One_huge_object_has_its_long_strings_cut_with_a_marker()
    {
        var result = new JsonObject
        {
            ["status"] = "success",
            ["exchange"] = new JsonObject
            {
                ["id"] = "abc",
                ["request"] = new JsonObject { ["bodyPreview"] = new string('q', 30_000) },
                ["response"] = new JsonObject { ["bodyPreview"] = new string('s', 60_000), ["statusMessage"] = "OK" },
            },
        };

        var text = OutputCap.Fit(result);

        Assert.True(text.Length <= OutputCap.MaxChars);
        Assert.True(text.Length > OutputCap.MaxChars - 200, "the budget should be used, not wasted");
        var json = Parse(text);
        Assert.True(json.GetProperty("truncated").GetBoolean());
        var exchange = json.GetProperty("exchange");
        Assert.Equal("abc", exchange.GetProperty("id").GetString());
        Assert.Equal("OK", exchange.GetProperty("response").GetProperty("statusMessage").GetString());
        var body = exchange.GetProperty("response").GetProperty("bodyPreview").GetString()!;
        Assert.Matches(@"^s+…\[truncated \d+ chars\]$", body);
    }

    [Fact]
    public void A_single_array_item_too_big_on_its_own_is_kept_and_cut()
    {
        var items = new JsonArray(new JsonObject { ["url"] = new string('u', 50_000) }, new JsonObject { ["url"] = "short" });
        var result = new JsonObject { ["status"] = "success", ["exchanges"] = items };

        var text = OutputCap.Fit(result, new CapPage("exchanges", 0, 2));

        Assert.True(text.Length <= OutputCap.MaxChars);
        var json = Parse(text);
        Assert.Equal(1, json.GetProperty("exchanges").GetArrayLength());
        Assert.Equal(1, json.GetProperty("next_offset").GetInt32());
        Assert.Contains("…[truncated ", json.GetProperty("exchanges")[0].GetProperty("url").GetString());
    }

    [Fact]
    public void Thousands_of_small_fields_are_cut_by_count()
    {
        var headers = new JsonArray();
        for (var i = 0; i < 20_000; i++) headers.Add(new JsonArray($"x-h{i}", "v"));
        var result = new JsonObject { ["status"] = "success", ["exchange"] = new JsonObject { ["rawHeaders"] = headers } };

        var text = OutputCap.Fit(result);

        Assert.True(text.Length <= OutputCap.MaxChars);
        var raw = Parse(text).GetProperty("exchange").GetProperty("rawHeaders");
        Assert.Matches(@"^…\[\d+ more items\]$", raw[raw.GetArrayLength() - 1].GetString());
    }

    [Fact]
    public void Cutting_never_splits_a_surrogate_pair()
    {
        var text = OutputCap.Cut("ab😀cd", 3);

        Assert.Equal("ab…[truncated 4 chars]", text);
    }
}
