using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Sessions;

/// <summary>Which parts of an exchange proxy_search_session_bodies looks in.</summary>
public enum SearchScope
{
    Response,
    Request,
    Both,
    /// <summary>Request and response headers and the URL (an addition to proxy-mcp's three choices).</summary>
    Headers,
    /// <summary>Bodies, headers and URL.</summary>
    All,
}

public sealed record BodySearchOptions
{
    public required string Text { get; init; }
    /// <summary>Pre-filters: method, hostname, URL, status, response content type.</summary>
    public SessionQuery Filter { get; init; } = new();
    public SearchScope Scope { get; init; } = SearchScope.Both;
    public bool CaseSensitive { get; init; }
    /// <summary>Matching exchanges returned at most.</summary>
    public int Limit { get; init; } = 10;
    /// <summary>Matches skipped first, oldest first (our extension, so a capped result's next_offset can be followed).
    /// The search starts from the oldest record again: skipped matches count in scanned like any other.</summary>
    public int Offset { get; init; }
    /// <summary>Records read at most by each pass.</summary>
    public int MaxScan { get; init; } = 200;
    public int ContextChars { get; init; } = 120;
    /// <summary>How long a search waits for the session's background index build (a big import) to finish first.</summary>
    public TimeSpan IndexWait { get; init; } = TimeSpan.FromSeconds(30);
}

/// <param name="IndexBacklog">Exchanges not yet in the full-text index when the search ran: of those, only the first
/// <c>max_scan</c> were read, so matches among the rest may be missing until the index catches up.</param>
/// <param name="Scanned">Records read oldest first, at most <c>max_scan</c> (spec 6.6).</param>
/// <param name="IndexScanned">Index candidates read after those (at most <c>max_scan</c> more), when the first
/// <c>max_scan</c> records were read linearly and did not give enough matches (our extension).</param>
public sealed record BodySearchResult(string Query, int Scanned, int SkippedBinary, int SkippedNoBody, IReadOnlyList<BodySearchMatch> Matches,
    bool Indexed, long IndexBacklog = 0, int IndexScanned = 0);

public sealed record BodySearchMatch(string ExchangeId, long Seq, string Url, string Method, int? StatusCode, string? ContentType,
    string MatchedIn, string Source, IReadOnlyList<SearchSnippet> Snippets);

/// <summary>One occurrence: its position in the searched text and the text around it with the match in brackets.</summary>
public sealed record SearchSnippet(int Position, string Context);

/// <summary>
/// Body search (spec 6.6): candidates are read oldest first (by seq), each counted in <c>scanned</c>, until
/// <c>scanned</c> reaches <c>max_scan</c> or enough matches are found; every candidate is confirmed against its decoded
/// text with the exact substring rule (case-sensitive or not), so folding in the FTS5 word index never changes an answer.
/// <para>
/// The index only narrows which records are candidates. It sees a needle's words at word starts, so it is complete for a
/// needle that starts with a non-word character, and for one that starts with a word character but has more words (the
/// first, which may be the tail of a longer word, is left out of the index query). Then the candidates are the index
/// hits plus the rows not indexed yet, in seq order: a session of millions is searched in full without reading it.
/// A single word that starts with a word character may also occur inside a longer word ("oken" in "token"), which no
/// word index finds: then the oldest <c>max_scan</c> records are read linearly, exactly as proxy-mcp does, and only if
/// that budget ran out without enough matches, the index hits after them (whole words and word prefixes) are read, at
/// most <c>max_scan</c> more, reported apart as <c>indexScanned</c>. Results stay in seq order either way. The index
/// holds the first 1 MiB of each decoded body, so a match only past that is found by the linear read alone.
/// </para>
/// <para>
/// Fixes from the original (weakness 42): a binary response type only excludes the response side, and
/// case-insensitive positions are exact (no lower-casing of the text).
/// </para>
/// </summary>
public static class BodySearch
{
    /// <summary>Decoded text read per body to confirm a match.</summary>
    public const int SearchTextBytes = 16 * 1024 * 1024;

    private const int MaxSnippets = 3;
    private const int UrlChars = 200;

    public static BodySearchResult Run(SessionReader session, BodySearchOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(options.Text);
        // A big import's index is built in the background and usually done within seconds: wait for it, bounded, so the
        // answer comes from a complete index rather than from the first max_scan rows of the backlog.
        session.Store.Indexing.WaitFor(session.DatabasePath, options.IndexWait);
        var state = new SearchState(session, options);
        var indexed = FtsQuery(options) is not null;
        if (CompleteFtsQuery(options) is { } complete)
        {
            state.Scanned = state.Visit(state.IndexCandidates(complete, after: 0, options.MaxScan), options.MaxScan);
        }
        else
        {
            state.Scanned = state.Visit(state.Rows(options.MaxScan), options.MaxScan);
            if (indexed && state.Scanned == options.MaxScan && state.Wanted)
                state.IndexScanned = state.Visit(state.IndexCandidates(FtsQuery(options)!, state.LastSeq, options.MaxScan), options.MaxScan);
        }
        return new BodySearchResult(options.Text, state.Scanned, state.SkippedBinary, state.SkippedNoBody, [.. state.Matches.Skip(options.Offset)], indexed,
            SessionDatabase.UnindexedCount(session.Connection), state.IndexScanned);
    }

    /// <summary>
    /// An index query that finds every record containing the needle (up to the indexed 1 MiB per body), or null when the
    /// needle is one word that may start inside a longer one, or has no word at all.
    /// </summary>
    internal static string? CompleteFtsQuery(BodySearchOptions options)
    {
        if (!StartsWithWordCharacter(options.Text)) return FtsQuery(options);
        var firstBreak = 0;
        while (firstBreak < options.Text.Length && IsWordCharacter(options.Text[firstBreak])) firstBreak++;
        return FtsQuery(options with { Text = options.Text[firstBreak..] });
    }

    /// <summary>The FTS5 expression for the needle, or null when it has no word character to look up.</summary>
    internal static string? FtsQuery(BodySearchOptions options) => SearchIndexer.WordQuery(options.Text, options.Scope switch
    {
        SearchScope.Response => "response_body",
        SearchScope.Request => "request_body",
        SearchScope.Both => "request_body response_body",
        SearchScope.Headers => "url request_headers response_headers",
        _ => null,
    });

    /// <summary>unicode61's token characters: letters, numbers and private-use characters.</summary>
    internal static bool IsWordCharacter(char c) => CharUnicodeInfo.GetUnicodeCategory(c) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber
            or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber or UnicodeCategory.PrivateUse
            or UnicodeCategory.Surrogate => true,
        _ => false,
    };

    private static bool StartsWithWordCharacter(string text) => IsWordCharacter(text[0]);

    /// <summary>Finds up to 3 successive, non-overlapping occurrences and cuts their context (spec 6.6 step 5).</summary>
    public static IReadOnlyList<SearchSnippet> Snippets(string text, string needle, bool caseSensitive, int contextChars)
    {
        var comparison = caseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        var snippets = new List<SearchSnippet>(MaxSnippets);
        var from = 0;
        while (snippets.Count < MaxSnippets && from <= text.Length - needle.Length)
        {
            var position = text.IndexOf(needle, from, comparison);
            if (position < 0) break;
            var end = position + needle.Length;
            var start = Math.Max(0, position - contextChars);
            var after = Math.Min(text.Length, end + contextChars);
            var context = new StringBuilder(after - start + 8);
            if (start > 0) context.Append("...");
            context.Append(text, start, position - start).Append('[').Append(text, position, needle.Length).Append(']');
            context.Append(text, end, after - end);
            if (after < text.Length) context.Append("...");
            snippets.Add(new SearchSnippet(position, context.ToString()));
            from = end;
        }
        return snippets;
    }

    private sealed class SearchState(SessionReader session, BodySearchOptions options)
    {
        private const string Columns = SessionReader.EntryColumns + ", d.request_headers, d.response_headers, d.request_preview, d.response_preview, "
            + "(SELECT decoded FROM bodies WHERE id = e.seq * 2), (SELECT decoded FROM bodies WHERE id = e.seq * 2 + 1)";

        public List<BodySearchMatch> Matches { get; } = [];
        public int Scanned { get; set; }
        public int IndexScanned { get; set; }
        public int SkippedBinary { get; private set; }
        public int SkippedNoBody { get; private set; }
        /// <summary>The last record read, so a later pass starts after it.</summary>
        public long LastSeq { get; private set; }
        public bool Wanted => Matches.Count < (long)options.Offset + options.Limit;

        /// <summary>Reads candidates in order until <paramref name="budget"/> records are read or enough matches found; returns how many were read.</summary>
        public int Visit(IEnumerable<Candidate> candidates, int budget)
        {
            var read = 0;
            if (!Wanted) return 0;
            foreach (var candidate in candidates)
            {
                read++;
                LastSeq = candidate.Entry.Seq;
                Examine(candidate);
                if (read >= budget || !Wanted) break;
            }
            return read;
        }

        /// <summary>The first <paramref name="limit"/> records passing the filters, oldest first.</summary>
        // Walked in seq order (NOT INDEXED): with a filter SQLite would otherwise take its index (the host index), then
        // sort every matching row before handing out the first: 1.4 s for a common host on 1,000,000 rows, against 1 ms
        // walking; the walk's worst case, a filter nothing matches, reads the whole table in ~200 ms.
        public IEnumerable<Candidate> Rows(int limit) =>
            Read($"SELECT {Columns} FROM exchanges e NOT INDEXED JOIN details d ON d.seq = e.seq WHERE /*where*/ ORDER BY e.seq LIMIT $limit", null, 0, limit);

        /// <summary>Index hits and not yet indexed records after <paramref name="after"/>, merged in seq order.</summary>
        public IEnumerable<Candidate> IndexCandidates(string match, long after, int limit)
        {
            // FTS5 hands out hits in rowid order, so both streams are read lazily: a common word costs only what is visited.
            using var hits = Read($"""
                SELECT {Columns} FROM text_index t JOIN exchanges e ON e.seq = t.rowid JOIN details d ON d.seq = e.seq
                WHERE text_index MATCH $match AND t.rowid > $after AND /*where*/ ORDER BY t.rowid LIMIT $limit
                """, match, after, limit).GetEnumerator();
            using var pending = Read($"""
                SELECT {Columns} FROM unindexed u JOIN exchanges e ON e.seq = u.seq JOIN details d ON d.seq = e.seq
                WHERE u.seq > $after AND /*where*/ ORDER BY u.seq LIMIT $limit
                """, null, after, limit).GetEnumerator();
            var hasHit = hits.MoveNext();
            var hasPending = pending.MoveNext();
            while (hasHit || hasPending)
            {
                if (hasHit && (!hasPending || hits.Current.Entry.Seq <= pending.Current.Entry.Seq))
                {
                    var current = hits.Current;
                    // A row indexed while this search ran could be in both streams: read it once.
                    if (hasPending && pending.Current.Entry.Seq == current.Entry.Seq) hasPending = pending.MoveNext();
                    yield return current;
                    hasHit = hits.MoveNext();
                }
                else
                {
                    yield return pending.Current;
                    hasPending = pending.MoveNext();
                }
            }
        }

        private IEnumerable<Candidate> Read(string sql, string? match, long after, int limit)
        {
            using var command = session.Connection.CreateCommand();
            var where = options.Filter.Where(command);
            command.CommandText = sql.Replace("/*where*/", where, StringComparison.Ordinal);
            if (match is not null) command.Parameters.AddWithValue("$match", match);
            if (sql.Contains("$after", StringComparison.Ordinal)) command.Parameters.AddWithValue("$after", after);
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var entry = SessionReader.ReadEntry(reader, 0);
                var o = SessionReader.EntryColumnCount;
                yield return new Candidate(entry, HeaderJson.Read(reader.GetString(o)), HeaderJson.Read(SessionReader.NullableString(reader, o + 1)),
                    reader.GetString(o + 2), SessionReader.NullableString(reader, o + 3),
                    reader.IsDBNull(o + 4) ? null : reader.GetInt64(o + 4) != 0, reader.IsDBNull(o + 5) ? null : reader.GetInt64(o + 5) != 0);
            }
        }

        private void Examine(Candidate candidate)
        {
            var sawBinary = false;
            var sawNoBody = false;
            foreach (var side in Sides(options.Scope, candidate.Entry.HasResponse))
            {
                var text = SideText(candidate, side, out var source, out var binary);
                if (binary) sawBinary = true;
                if (text is null)
                {
                    if (!binary) sawNoBody = true;
                    continue;
                }
                var snippets = Snippets(text, options.Text, options.CaseSensitive, options.ContextChars);
                if (snippets.Count == 0) continue;
                var entry = candidate.Entry;
                var contentType = side switch
                {
                    Side.ResponseBody or Side.ResponseHeaders => entry.ResponseContentType ?? candidate.ResponseHeaders.Get("content-type"),
                    Side.RequestBody or Side.RequestHeaders => candidate.RequestHeaders.Get("content-type"),
                    _ => null,
                };
                Matches.Add(new BodySearchMatch(entry.ExchangeId, entry.Seq, entry.Url.Length > UrlChars ? entry.Url[..UrlChars] + "..." : entry.Url,
                    entry.Method, entry.StatusCode, contentType, SideName(side), source, snippets));
                return;
            }
            if (sawBinary) SkippedBinary++;
            else if (sawNoBody) SkippedNoBody++;
        }

        /// <summary>The searchable text of one side; null with <paramref name="binary"/> set for binary content, or for no body.</summary>
        private string? SideText(Candidate candidate, Side side, out string source, out bool binary)
        {
            source = "full";
            binary = false;
            var entry = candidate.Entry;
            switch (side)
            {
                case Side.Url:
                    return entry.Url;
                case Side.RequestHeaders:
                    return HeaderJson.Text(candidate.RequestHeaders);
                case Side.ResponseHeaders:
                    return HeaderJson.Text(candidate.ResponseHeaders);
            }
            var response = side == Side.ResponseBody;
            var headers = response ? candidate.ResponseHeaders : candidate.RequestHeaders;
            if (BodyDecoding.IsBinaryMediaType(BodyDecoding.MediaType(headers.Get("content-type"))))
            {
                binary = true;
                return null;
            }
            var decodedFlag = response ? candidate.ResponseDecoded : candidate.RequestDecoded;
            if (decodedFlag is { } alreadyDecoded)
            {
                var seq = entry.Seq;
                var body = BodyDecoding.Decode(() => session.OpenBody(seq, response) ?? Stream.Null, headers.Get("content-encoding"), alreadyDecoded, SearchTextBytes);
                if (body.HasNul)
                {
                    binary = true;
                    return null;
                }
                return Encoding.UTF8.GetString(body.Bytes);
            }
            var preview = response ? candidate.ResponsePreview : candidate.RequestPreview;
            if (string.IsNullOrEmpty(preview)) return null;
            if (preview.StartsWith("[binary body,", StringComparison.Ordinal))
            {
                binary = true;
                return null;
            }
            source = "preview";
            return preview;
        }
    }

    private enum Side
    {
        ResponseBody,
        RequestBody,
        ResponseHeaders,
        RequestHeaders,
        Url,
    }

    private static IEnumerable<Side> Sides(SearchScope scope, bool hasResponse)
    {
        var bodies = scope is SearchScope.Response or SearchScope.Both or SearchScope.All;
        if (bodies && hasResponse) yield return Side.ResponseBody;
        if (scope is SearchScope.Request or SearchScope.Both or SearchScope.All) yield return Side.RequestBody;
        if (scope is SearchScope.Headers or SearchScope.All)
        {
            if (hasResponse) yield return Side.ResponseHeaders;
            yield return Side.RequestHeaders;
            yield return Side.Url;
        }
    }

    private static string SideName(Side side) => side switch
    {
        Side.ResponseBody => "response",
        Side.RequestBody => "request",
        Side.ResponseHeaders => "response_headers",
        Side.RequestHeaders => "request_headers",
        _ => "url",
    };

    private sealed record Candidate(SessionIndexEntry Entry, HeaderList RequestHeaders, HeaderList ResponseHeaders, string RequestPreview,
        string? ResponsePreview, bool? RequestDecoded, bool? ResponseDecoded);
}
