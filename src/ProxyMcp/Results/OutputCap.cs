using System.Text.Json.Nodes;

namespace ProxyMcp.Results;

/// <summary>
/// Holds a tool result under the 24,000-character budget of spec 0.2 while keeping it valid JSON
/// (the original cut the text mid-document, weakness 18): a paged result loses items from the end of its
/// main array and says where to continue; anything else has its long strings, then its long lists, shortened.
/// </summary>
public static class OutputCap
{
    public const int MaxChars = 24_000;

    /// <summary>Strings up to this length are never cut, so ids, status words and URLs of normal size survive.</summary>
    private const int ShortString = 64;

    /// <summary>The compact JSON of <paramref name="result"/>, shrunk to fit <paramref name="maxChars"/>. The input is not modified.</summary>
    public static string Fit(JsonObject result, CapPage? page = null, int maxChars = MaxChars)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = JsonText.Compact(result);
        if (text.Length <= maxChars) return text;

        // An empty page cannot be the reason the result is too big (a 70,000-char echoed query can): shorten strings instead.
        if (page?.ArrayIn(result) is { Count: > 0 } array)
        {
            var paged = FitPage(result, array, page!, maxChars);
            if (paged is not null) return paged;
            // Not even one item fits whole: keep the first and shorten it below.
            result = WithPrefix(result, array, 1, page!);
        }
        else
        {
            result = (JsonObject)result.DeepClone();
            result["truncated"] = true;
        }

        return ShortenStrings(result, maxChars)
            ?? ShortenCollections(result, maxChars)
            ?? JsonText.Compact(new JsonObject
            {
                ["status"] = result["status"]?.DeepClone(),
                ["truncated"] = true,
                ["message"] = $"The result ({text.Length} chars) is too large to show, even shortened. Narrow the request.",
            });
    }

    /// <summary>The largest prefix of the array that fits, found by binary search over pre-measured items; null if none fits.</summary>
    private static string? FitPage(JsonObject result, JsonArray array, CapPage page, int maxChars)
    {
        // Items are measured once; the shell (everything but the items) is re-measured per candidate
        // because "showing" and "next_offset" grow with the digits of n.
        var itemLengths = new long[array.Count + 1];
        for (var i = 0; i < array.Count; i++)
        {
            itemLengths[i + 1] = itemLengths[i] + (array[i] is null ? 4 : JsonText.Compact(array[i]!).Length);
        }
        long Length(int n) => JsonText.Compact(Shell(result, page, n)).Length + itemLengths[n] + Math.Max(0, n - 1);

        int low = 0, high = array.Count - 1; // the full array does not fit, or we would not be here
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (Length(mid) <= maxChars) low = mid;
            else high = mid - 1;
        }
        if (low == 0) return null;
        var fitted = JsonText.Compact(WithPrefix(result, array, low, page));
        return fitted.Length <= maxChars ? fitted : null;
    }

    private static JsonObject WithPrefix(JsonObject result, JsonArray array, int n, CapPage page)
    {
        var shell = Shell(result, page, n);
        var prefix = page.ArrayIn(shell)!;
        for (var i = 0; i < n; i++) prefix.Add(array[i]?.DeepClone());
        return shell;
    }

    /// <summary>A copy of the result with an empty main array and the paging fields for n shown items.</summary>
    private static JsonObject Shell(JsonObject result, CapPage page, int n)
    {
        var shell = new JsonObject();
        foreach (var (key, value) in result)
        {
            shell[key] = key == (page.Container ?? page.ArrayProperty) ? null : value?.DeepClone();
        }
        if (page.Container is null)
        {
            shell[page.ArrayProperty] = new JsonArray();
        }
        else
        {
            // The container keeps its other fields (counts, the winner) and its place; only its array is emptied.
            var container = new JsonObject();
            foreach (var (key, value) in (JsonObject)result[page.Container]!)
                container[key] = key == page.ArrayProperty ? new JsonArray() : value?.DeepClone();
            shell[page.Container] = container;
        }
        if (shell.ContainsKey(page.CountProperty)) shell[page.CountProperty] = n;
        shell["truncated"] = true;
        shell["showing"] = n;
        shell["total"] = page.Total;
        shell["next_offset"] = page.Offset + n;
        return shell;
    }

    /// <summary>Cuts every string longer than the largest limit that makes the document fit; null if none does.</summary>
    private static string? ShortenStrings(JsonObject result, int maxChars)
    {
        var longest = LongestString(result);
        if (longest <= ShortString) return null;
        string? best = null;
        int low = ShortString, high = longest;
        while (low <= high)
        {
            var mid = low + (high - low) / 2;
            var text = JsonText.Compact(Shorten(result, mid, int.MaxValue, depth: 0)!);
            if (text.Length <= maxChars)
            {
                best = text;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return best;
    }

    /// <summary>Also keeps only the first items of long nested arrays and objects (e.g. thousands of headers).</summary>
    private static string? ShortenCollections(JsonObject result, int maxChars)
    {
        var largest = LargestCollection(result, depth: 0);
        string? best = null;
        int low = 1, high = largest;
        while (low <= high)
        {
            var mid = low + (high - low) / 2;
            var text = JsonText.Compact(Shorten(result, ShortString, mid, depth: 0)!);
            if (text.Length <= maxChars)
            {
                best = text;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return best;
    }

    /// <summary>A copy with strings cut to <paramref name="maxString"/> and nested collections to <paramref name="maxItems"/>.</summary>
    private static JsonNode? Shorten(JsonNode? node, int maxString, int maxItems, int depth)
    {
        switch (node)
        {
            case JsonObject obj:
            {
                var copy = new JsonObject();
                var kept = 0;
                foreach (var (key, value) in obj)
                {
                    // The top level (status, paging fields, the payload itself) is never dropped.
                    if (depth > 0 && kept == maxItems)
                    {
                        copy["…"] = $"[{obj.Count - kept} more properties]";
                        break;
                    }
                    copy[key] = Shorten(value, maxString, maxItems, depth + 1);
                    kept++;
                }
                return copy;
            }
            case JsonArray array:
            {
                var copy = new JsonArray();
                for (var i = 0; i < array.Count; i++)
                {
                    if (i == maxItems)
                    {
                        copy.Add($"…[{array.Count - i} more items]");
                        break;
                    }
                    copy.Add(Shorten(array[i], maxString, maxItems, depth + 1));
                }
                return copy;
            }
            case JsonValue value when value.TryGetValue<string>(out var text) && text.Length > maxString:
                return JsonValue.Create(Cut(text, maxString));
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>The first <paramref name="keep"/> chars (never half a surrogate pair) and a marker saying how much went.</summary>
    internal static string Cut(string text, int keep)
    {
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1])) keep--;
        return string.Concat(text.AsSpan(0, keep), $"…[truncated {text.Length - keep} chars]");
    }

    private static int LongestString(JsonNode? node) => node switch
    {
        JsonObject obj => obj.Select(p => LongestString(p.Value)).DefaultIfEmpty(0).Max(),
        JsonArray array => array.Select(LongestString).DefaultIfEmpty(0).Max(),
        JsonValue value when value.TryGetValue<string>(out var text) => text.Length,
        _ => 0,
    };

    private static int LargestCollection(JsonNode? node, int depth) => node switch
    {
        JsonObject obj => Math.Max(depth > 0 ? obj.Count : 0, obj.Select(p => LargestCollection(p.Value, depth + 1)).DefaultIfEmpty(0).Max()),
        JsonArray array => Math.Max(array.Count, array.Select(n => LargestCollection(n, depth + 1)).DefaultIfEmpty(0).Max()),
        _ => 0,
    };
}
