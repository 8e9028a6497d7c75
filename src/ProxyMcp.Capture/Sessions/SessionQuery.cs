using System.Text;
using Microsoft.Data.Sqlite;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// The selection filters shared by proxy_query_session, export, replay and the handshake list (spec 5.10);
/// null fields do not filter. Everything is evaluated in SQL.
/// </summary>
public sealed record SessionQuery
{
    /// <summary>Exact method, upper-cased.</summary>
    public string? Method { get; init; }
    /// <summary>Case-insensitive substring of the hostname.</summary>
    public string? HostnameContains { get; init; }
    /// <summary>Case-insensitive substring of the URL.</summary>
    public string? UrlContains { get; init; }
    /// <summary>Exact status; exchanges without a response never match.</summary>
    public int? StatusCode { get; init; }
    /// <summary>Inclusive bounds on the exchange timestamp (epoch ms).</summary>
    public long? FromTs { get; init; }
    public long? ToTs { get; init; }
    /// <summary>Case-insensitive substring of URL, hostname, path, exchange id or matched rule id.</summary>
    public string? Text { get; init; }
    /// <summary>Newest first (the default of the query tool); export defaults to oldest first.</summary>
    public bool Descending { get; init; } = true;

    /// <summary>Filter on the response media type (body search only): a substring, entries without a type pass.</summary>
    public string? ContentTypeContains { get; init; }

    public bool HasFilters => Method is not null || HostnameContains is not null || UrlContains is not null || StatusCode is not null
        || FromTs is not null || ToTs is not null || Text is not null || ContentTypeContains is not null;

    internal string OrderBy => Descending ? "e.timestamp DESC, e.seq DESC" : "e.timestamp ASC, e.seq ASC";

    /// <summary>
    /// The WHERE clause over <c>exchanges e</c> (or "1" when nothing filters) with its parameters added to <paramref name="command"/>.
    /// Substring filters of 3 characters or more first narrow the rows through the trigram index, then confirm with LIKE.
    /// </summary>
    internal string Where(SqliteCommand command)
    {
        var conditions = new List<string>();
        if (Method is not null)
        {
            conditions.Add("e.method = $q_method");
            command.Parameters.AddWithValue("$q_method", Method.ToUpperInvariant());
        }
        if (StatusCode is { } status)
        {
            conditions.Add("e.status_code = $q_status");
            command.Parameters.AddWithValue("$q_status", status);
        }
        if (FromTs is { } from)
        {
            conditions.Add("e.timestamp >= $q_from");
            command.Parameters.AddWithValue("$q_from", from);
        }
        if (ToTs is { } to)
        {
            conditions.Add("e.timestamp <= $q_to");
            command.Parameters.AddWithValue("$q_to", to);
        }
        if (HostnameContains is not null)
        {
            // A few hundred distinct hosts: match them first, then walk the hostname index.
            conditions.Add(@"e.hostname IN (SELECT hostname FROM hosts WHERE hostname LIKE $q_host ESCAPE '\')");
            command.Parameters.AddWithValue("$q_host", Like(HostnameContains));
        }
        if (UrlContains is not null)
        {
            if (SearchIndexer.TrigramQuery(UrlContains) is { } phrase)
            {
                // One IN over a UNION (not an OR of two INs) lets SQLite drive the query by rowid lookups.
                conditions.Add("e.seq IN (SELECT rowid FROM locator_index WHERE locator_index MATCH $q_url_match UNION ALL SELECT seq FROM unindexed)");
                command.Parameters.AddWithValue("$q_url_match", phrase);
            }
            conditions.Add(@"e.url LIKE $q_url ESCAPE '\'");
            command.Parameters.AddWithValue("$q_url", Like(UrlContains));
        }
        if (Text is not null)
        {
            if (SearchIndexer.TrigramQuery(Text) is { } phrase)
            {
                // One IN over a UNION (not an OR of two INs) lets SQLite drive the query by rowid lookups.
                conditions.Add("e.seq IN (SELECT rowid FROM locator_index WHERE locator_index MATCH $q_text_match UNION ALL SELECT seq FROM unindexed)");
                command.Parameters.AddWithValue("$q_text_match", phrase);
            }
            conditions.Add(@"(e.url LIKE $q_text ESCAPE '\' OR e.hostname LIKE $q_text ESCAPE '\' OR e.path LIKE $q_text ESCAPE '\'"
                + @" OR e.exchange_id LIKE $q_text ESCAPE '\' OR e.matched_rule_id LIKE $q_text ESCAPE '\')");
            command.Parameters.AddWithValue("$q_text", Like(Text));
        }
        if (ContentTypeContains is not null)
        {
            conditions.Add(@"(e.response_content_type IS NULL OR e.response_content_type LIKE $q_ctype ESCAPE '\')");
            command.Parameters.AddWithValue("$q_ctype", Like(ContentTypeContains.ToLowerInvariant()));
        }
        return conditions.Count == 0 ? "1" : string.Join(" AND ", conditions);
    }

    /// <summary>A LIKE pattern matching <paramref name="needle"/> anywhere, with LIKE's wildcards escaped.</summary>
    internal static string Like(string needle)
    {
        var builder = new StringBuilder(needle.Length + 2).Append('%');
        foreach (var c in needle)
        {
            if (c is '%' or '_' or '\\') builder.Append('\\');
            builder.Append(c);
        }
        return builder.Append('%').ToString();
    }
}
