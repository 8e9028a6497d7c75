using System.Text;
using ProxyMcp.Capture.Sessions;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Tests.Sessions;

public sealed class BodySearchTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private SessionStore _store = null!;
    private string _full = null!;
    private string _preview = null!;

    public async Task InitializeAsync()
    {
        _store = new SessionStore(_temp.Path);
        await using var recorder = new SessionRecorder(_store);
        var gzipped = SessionTestData.Gzip("{\"user\":\"alice\",\"access_token\":\"tok-SECRET-42\",\"note\":\"" + new string('z', 5000) + " tail-marker\"}");
        var gzipHeaders = new HeaderList { { "Content-Type", "application/json" }, { "Content-Encoding", "gzip" } };
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0, (byte)'s', (byte)'e', (byte)'c', (byte)'r', (byte)'e', (byte)'t' };
        var pngHeaders = new HeaderList { { "Content-Type", "image/png" } };
        var exchanges = new List<PendingExchange>
        {
            SessionTestData.Full(SessionTestData.Exchange("gz", "http://a.test/login", method: "POST", requestBody: "user=alice&password=hunter2",
                responseHeaders: gzipHeaders), Encoding.UTF8.GetBytes("user=alice&password=hunter2"), gzipped),
            SessionTestData.Full(SessionTestData.Exchange("img", "http://b.test/logo.png", responseHeaders: pngHeaders), null, png),
            SessionTestData.Full(SessionTestData.Exchange("plain", "http://b.test/page", responseType: "text/html"), null,
                Encoding.UTF8.GetBytes("<html>Tokens: SECRET secret Secret</html>")),
        };
        for (var i = 0; i < 50; i++)
        {
            exchanges.Add(SessionTestData.Full(SessionTestData.Exchange("filler" + i, "http://c.test/" + i), null,
                Encoding.UTF8.GetBytes("{\"n\":" + i + ",\"text\":\"nothing to see\"}")));
        }
        _full = await SessionTestData.RecordAsync(recorder, CaptureProfile.Full, exchanges);
        _preview = await SessionTestData.RecordAsync(recorder, CaptureProfile.Preview,
            [new PendingExchange(SessionTestData.Exchange("p1", "http://p.test/", responseBody: "preview text with needle inside"))]);
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private BodySearchResult Search(string session, BodySearchOptions options)
    {
        using var reader = _store.Open(session);
        return BodySearch.Run(reader, options);
    }

    [Fact]
    public void Finds_words_in_decoded_gzip_bodies_through_the_index_with_snippets()
    {
        var result = Search(_full, new BodySearchOptions { Text = "tok-SECRET", ContextChars = 20 });
        Assert.True(result.Indexed);
        var match = Assert.Single(result.Matches);
        Assert.Equal("gz", match.ExchangeId);
        Assert.Equal("response", match.MatchedIn);
        Assert.Equal("full", match.Source);
        Assert.Equal("application/json", match.ContentType);
        var snippet = Assert.Single(match.Snippets);
        Assert.Equal("...ce\",\"access_token\":\"[tok-SECRET]-42\",\"note\":\"zzzzzzz...", snippet.Context);
        Assert.Equal("{\"user\":\"alice\",\"access_token\":\"".Length, snippet.Position);
        // Beyond the preview (4 KB): only the stored full body has it.
        Assert.Single(Search(_full, new BodySearchOptions { Text = "tail-marker" }).Matches);
    }

    [Fact]
    public void Case_rules_and_three_snippets_at_most()
    {
        var insensitive = Search(_full, new BodySearchOptions { Text = "secret" });
        var plain = insensitive.Matches.Single(m => m.ExchangeId == "plain");
        Assert.Equal(3, plain.Snippets.Count);
        Assert.Equal(["[SECRET]", "[secret]", "[Secret]"], plain.Snippets.Select(s => s.Context[s.Context.IndexOf('[')..(s.Context.IndexOf(']') + 1)]));
        var sensitive = Search(_full, new BodySearchOptions { Text = "Secret", CaseSensitive = true });
        Assert.Equal(["plain"], sensitive.Matches.Select(m => m.ExchangeId));
        Assert.Single(sensitive.Matches[0].Snippets);
    }

    [Fact]
    public void Binary_bodies_are_skipped_and_request_side_is_searched_when_the_response_has_no_match()
    {
        var result = Search(_full, new BodySearchOptions { Text = "hunter2" });
        var match = Assert.Single(result.Matches);
        Assert.Equal("request", match.MatchedIn);
        Assert.Equal("gz", match.ExchangeId);

        var binary = Search(_full, new BodySearchOptions { Text = "secret", Scope = SearchScope.Response, Filter = new SessionQuery { HostnameContains = "b.test" } });
        Assert.Equal(["plain"], binary.Matches.Select(m => m.ExchangeId));

        var onlyImages = Search(_full, new BodySearchOptions { Text = "cret", Scope = SearchScope.Response, Filter = new SessionQuery { UrlContains = "logo" } });
        Assert.Empty(onlyImages.Matches);
        Assert.Equal(1, onlyImages.SkippedBinary);
    }

    [Fact]
    public void A_needle_starting_inside_a_word_is_found_by_the_linear_pass()
    {
        var result = Search(_full, new BodySearchOptions { Text = "unters" });
        Assert.Empty(result.Matches);
        var inside = Search(_full, new BodySearchOptions { Text = "ccess_tok" });
        Assert.Equal(["gz"], inside.Matches.Select(m => m.ExchangeId));
        var punctuation = Search(_full, new BodySearchOptions { Text = "\":" });
        Assert.False(punctuation.Indexed);
        Assert.Equal(10, punctuation.Matches.Count);
    }

    /// <summary>A session of text/plain responses with these bodies, seq 1 first.</summary>
    private async Task<string> RecordBodiesAsync(params string[] bodies)
    {
        await using var recorder = new SessionRecorder(_store);
        return await SessionTestData.RecordAsync(recorder, CaptureProfile.Full, [.. bodies.Select((body, i) =>
            SessionTestData.Full(SessionTestData.Exchange("e" + (i + 1), "http://o.test/" + i, responseType: "text/plain"), null, Encoding.UTF8.GetBytes(body)))]);
    }

    [Fact]
    public async Task Candidates_are_read_oldest_first_and_scanned_never_exceeds_max_scan()
    {
        // seq 1 has "x" inside a word (no index hit), seq 2.. as a word: the index must not jump ahead of seq 1.
        var session = await RecordBodiesAsync("a box here", "x marks", "x again", "x more", "x and", "x end");

        var first = Search(session, new BodySearchOptions { Text = "x", Limit = 1 });
        Assert.Equal([1L], first.Matches.Select(m => m.Seq));
        Assert.Equal(1, first.Scanned);

        var capped = Search(session, new BodySearchOptions { Text = "x", MaxScan = 3, Limit = 100 });
        Assert.Equal(3, capped.Scanned);
        // The whole words after the linear budget come from the index, counted apart and still in seq order.
        Assert.Equal(3, capped.IndexScanned);
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], capped.Matches.Select(m => m.Seq));
        var inside = Search(session, new BodySearchOptions { Text = "ox", MaxScan = 3, Limit = 100 });
        Assert.Equal([1L], inside.Matches.Select(m => m.Seq));
        Assert.Equal(3, inside.Scanned);
    }

    [Fact]
    public async Task The_index_reaches_past_max_scan_in_seq_order()
    {
        var session = await RecordBodiesAsync("one", "two", "three", "four", "key=needle-5", "six", "seven", "key=needle-8 and a needlework");

        // One word that could start inside another: the oldest max_scan records linearly, then index hits after them.
        var word = Search(session, new BodySearchOptions { Text = "needle", MaxScan = 3 });
        Assert.Equal([5L, 8L], word.Matches.Select(m => m.Seq));
        Assert.Equal(3, word.Scanned);
        Assert.Equal(2, word.IndexScanned);

        // The index sees every occurrence (a non-word start, or the words after the first): only its hits are read.
        foreach (var needle in new[] { "=needle", "ey=needle-" })
        {
            var complete = Search(session, new BodySearchOptions { Text = needle, MaxScan = 3 });
            Assert.Equal([5L, 8L], complete.Matches.Select(m => m.Seq));
            Assert.Equal(2, complete.Scanned);
            Assert.Equal(0, complete.IndexScanned);
        }
        var limited = Search(session, new BodySearchOptions { Text = "=needle", MaxScan = 1 });
        Assert.Equal([5L], limited.Matches.Select(m => m.Seq));
        Assert.Equal(1, limited.Scanned);
    }

    [Fact]
    public async Task Offset_skips_the_oldest_matches_within_the_same_scan()
    {
        var session = await RecordBodiesAsync("a box", "x one", "no", "x two", "x three");

        var page = Search(session, new BodySearchOptions { Text = "x", Offset = 2, Limit = 1 });
        Assert.Equal([4L], page.Matches.Select(m => m.Seq));
        Assert.Equal(4, page.Scanned); // the skipped matches were read too
        Assert.Empty(Search(session, new BodySearchOptions { Text = "x", Offset = 4 }).Matches);
    }

    [Fact]
    public void Filters_limit_and_preview_sessions()
    {
        var limited = Search(_full, new BodySearchOptions { Text = "nothing", Limit = 5 });
        Assert.Equal(5, limited.Matches.Count);
        Assert.Equal(limited.Matches.OrderBy(m => m.Seq).Select(m => m.Seq), limited.Matches.Select(m => m.Seq));
        Assert.Empty(Search(_full, new BodySearchOptions { Text = "nothing", Filter = new SessionQuery { Method = "POST" } }).Matches);
        Assert.Empty(Search(_full, new BodySearchOptions { Text = "nothing", Filter = new SessionQuery { ContentTypeContains = "html" } }).Matches);

        var preview = Search(_preview, new BodySearchOptions { Text = "needle" });
        Assert.Equal("preview", Assert.Single(preview.Matches).Source);

        var headers = Search(_full, new BodySearchOptions { Text = "test/1.0", Scope = SearchScope.Headers, Limit = 100 });
        Assert.Equal(53, headers.Matches.Count);
        Assert.All(headers.Matches, m => Assert.Equal("request_headers", m.MatchedIn));
    }
}
