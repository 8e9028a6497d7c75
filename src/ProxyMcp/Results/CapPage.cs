namespace ProxyMcp.Results;

/// <summary>Where a paged result keeps its main array, so the cap can shrink it and say how to fetch the rest.</summary>
/// <param name="ArrayProperty">The top-level property holding the array (e.g. "exchanges").</param>
/// <param name="Offset">Offset of the array's first item in the full list.</param>
/// <param name="Total">Items in the full list (after filters).</param>
/// <param name="CountProperty">A property that counts the items returned ("showing", "matches"); rewritten when the array shrinks.</param>
/// <param name="Container">The top-level object holding the array when it is not at the top ("result" of proxy_test_rule_match);
/// the paging fields still go at the top, where every capped tool puts them.</param>
public sealed record CapPage(string ArrayProperty, int Offset, int Total, string CountProperty = "showing", string? Container = null)
{
    /// <summary>The paged array in <paramref name="result"/>, or null when it is missing.</summary>
    public System.Text.Json.Nodes.JsonArray? ArrayIn(System.Text.Json.Nodes.JsonObject result) =>
        (Container is null ? result : result[Container] as System.Text.Json.Nodes.JsonObject)?[ArrayProperty] as System.Text.Json.Nodes.JsonArray;
}
