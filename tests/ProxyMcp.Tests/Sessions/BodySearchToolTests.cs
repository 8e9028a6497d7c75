using System.Text;
using ProxyMcp.Tests.Support;

namespace ProxyMcp.Tests.Sessions;

/// <summary>proxy_search_session_bodies through the tool: paging a capped result.</summary>
public sealed class BodySearchToolTests
{
    [Fact]
    public async Task A_capped_result_continues_at_next_offset()
    {
        await using var server = await InMemoryServer.StartAsync();
        var har = new StringBuilder("{\"log\":{\"version\":\"1.2\",\"entries\":[");
        var text = string.Join(" ", Enumerable.Repeat(new string('w', 200) + " needle " + new string('v', 200), 3));
        for (var i = 0; i < 100; i++)
        {
            if (i > 0) har.Append(',');
            har.Append("{\"startedDateTime\":\"2024-01-01T00:00:00Z\",\"request\":{\"method\":\"GET\",\"url\":\"http://s.test/").Append(i)
                .Append("\"},\"response\":{\"status\":200,\"content\":{\"mimeType\":\"text/plain\",\"text\":\"").Append(text).Append("\"}}}");
        }
        har.Append("]}}");
        var file = Path.Combine(server.DataDirectory, "s.har");
        await File.WriteAllTextAsync(file, har.ToString());
        var id = (await server.CallAsync("proxy_import_har", new { har_file = file })).AssertSuccess()["session"].GetProperty("id").GetString()!;

        var seqs = new List<long>();
        var pages = 0;
        int? offset = 0;
        while (offset is { } skip)
        {
            var page = (await server.CallAsync("proxy_search_session_bodies", new { session_id = id, text = "needle", limit = 100, offset = skip })).AssertSuccess();
            pages++;
            seqs.AddRange(page["matches"].EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
            offset = page.Json.TryGetProperty("next_offset", out var next) ? next.GetInt32() : null;
            if (offset is not null)
            {
                Assert.Equal(100, page["total"].GetInt32());
                Assert.Equal(skip + page["showing"].GetInt32(), offset);
            }
        }
        // Pages follow one another: every match once, oldest first.
        Assert.True(pages > 1, "the first page was not capped");
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), seqs);
    }
}
