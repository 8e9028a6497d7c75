using System.Text.RegularExpressions;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Engine.Tests.Exchanges;

public sealed class ExchangeIdsTests
{
    [Fact]
    public void Ids_are_distinct_random_uuid_v4_strings()
    {
        var ids = Enumerable.Range(0, 100_000).Select(_ => ExchangeIds.NewId()).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids.Take(1000), id => Assert.Matches(
            new Regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"), id));
        Assert.All(ids.Take(1000), id => Assert.Equal(4, Guid.Parse(id).Version));
    }
}
