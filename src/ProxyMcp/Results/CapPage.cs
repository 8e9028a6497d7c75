namespace ProxyMcp.Results;

/// <summary>Where a paged result keeps its main array, so the cap can shrink it and say how to fetch the rest.</summary>
/// <param name="ArrayProperty">The top-level property holding the array (e.g. "exchanges").</param>
/// <param name="Offset">Offset of the array's first item in the full list.</param>
/// <param name="Total">Items in the full list (after filters).</param>
/// <param name="CountProperty">A property that counts the items returned ("showing", "matches"); rewritten when the array shrinks.</param>
public sealed record CapPage(string ArrayProperty, int Offset, int Total, string CountProperty = "showing");
