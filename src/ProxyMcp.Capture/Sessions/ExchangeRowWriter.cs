using System.Buffers;
using System.Text;
using Microsoft.Data.Sqlite;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// Inserts one exchange into a session database: metadata row, details, bodies and both full-text entries, with
/// statements prepared once per connection. Shared by the live writer, HAR import and replay recording so every
/// path stores exactly the same shape. Not thread-safe: one per connection, used by one thread.
/// </summary>
internal sealed class ExchangeRowWriter : IDisposable
{
    /// <summary>Decoded text kept per body for the word index; search still reads the whole body to confirm.</summary>
    public const int IndexedTextBytes = 1024 * 1024;

    /// <summary>Bodies up to this size are bound as one parameter; larger ones stream in through incremental blob I/O.</summary>
    private const int InlineBlobBytes = 4 * 1024 * 1024;

    private const string BinaryPreviewMarker = "[binary body,";

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _exchange;
    private readonly SqliteCommand _details;
    private readonly SqliteCommand _body;
    private readonly SqliteCommand _largeBody;
    private readonly SqliteCommand _text;
    private readonly SqliteCommand _locator;
    private readonly SqliteCommand _host;
    private readonly SqliteCommand _unindexed;
    private readonly HashSet<string> _knownHosts = new(StringComparer.Ordinal);

    public ExchangeRowWriter(SqliteConnection connection)
    {
        _connection = connection;
        _exchange = Command("""
            INSERT INTO exchanges(exchange_id, timestamp, method, hostname, path, url, status_code, duration,
                request_body_size, response_body_size, response_content_type, matched_rule_id, ja3, ja4, ja3s,
                has_request_body, has_response_body, source)
            VALUES ($id, $ts, $method, $host, $path, $url, $status, $duration, $reqSize, $respSize, $ctype, $rule,
                $ja3, $ja4, $ja3s, $hasReq, $hasResp, $source)
            RETURNING seq
            """, "$id", "$ts", "$method", "$host", "$path", "$url", "$status", "$duration", "$reqSize", "$respSize",
            "$ctype", "$rule", "$ja3", "$ja4", "$ja3s", "$hasReq", "$hasResp", "$source");
        _details = Command("""
            INSERT INTO details(seq, http_version, request_headers, request_preview, status_message, response_headers,
                response_preview, tls, error_kind, error_message, request_sent_ms, response_headers_ms, response_done_ms,
                websocket, client_endpoint)
            VALUES ($seq, $version, $reqHeaders, $reqPreview, $statusMessage, $respHeaders, $respPreview, $tls,
                $errorKind, $errorMessage, $sent, $headers, $done, $ws, $client)
            """, "$seq", "$version", "$reqHeaders", "$reqPreview", "$statusMessage", "$respHeaders", "$respPreview",
            "$tls", "$errorKind", "$errorMessage", "$sent", "$headers", "$done", "$ws", "$client");
        _body = Command("INSERT INTO bodies(id, data, truncated, decoded) VALUES ($id, $data, $truncated, $decoded)",
            "$id", "$data", "$truncated", "$decoded");
        _largeBody = Command("INSERT INTO bodies(id, data, truncated, decoded) VALUES ($id, zeroblob($length), $truncated, $decoded)",
            "$id", "$length", "$truncated", "$decoded");
        _text = Command("""
            INSERT INTO text_index(rowid, url, request_headers, response_headers, request_body, response_body)
            VALUES ($seq, $url, $reqHeaders, $respHeaders, $reqBody, $respBody)
            """, "$seq", "$url", "$reqHeaders", "$respHeaders", "$reqBody", "$respBody");
        _locator = Command("INSERT INTO locator_index(rowid, locator) VALUES ($seq, $locator)", "$seq", "$locator");
        _host = Command("INSERT OR IGNORE INTO hosts(hostname) VALUES ($host)", "$host");
        _unindexed = Command("INSERT INTO unindexed(seq) VALUES ($seq)", "$seq");

        using var hosts = connection.CreateCommand();
        hosts.CommandText = "SELECT hostname FROM hosts";
        using var reader = hosts.ExecuteReader();
        while (reader.Read()) _knownHosts.Add(reader.GetString(0));
    }

    /// <summary>
    /// Stores the exchange (and its bodies when <paramref name="keepBodies"/>); returns its sequence number. With
    /// <paramref name="index"/> false the full-text entries are left for later and the exchange is listed in <c>unindexed</c>.
    /// </summary>
    public long Insert(SqliteTransaction transaction, PendingExchange pending, bool keepBodies, bool index = true)
    {
        var exchange = pending.Exchange;
        var request = exchange.Request;
        var response = exchange.Response;
        var requestBody = keepBodies && pending.RequestBody is { Length: > 0 } rb ? rb : null;
        var responseBody = keepBodies && pending.ResponseBody is { Length: > 0 } sb ? sb : null;
        var responseType = BodyDecoding.MediaType(response?.Headers.Get("content-type"));

        var p = _exchange.Parameters;
        p[0].Value = exchange.Id;
        p[1].Value = exchange.Timestamp;
        p[2].Value = request.Method;
        p[3].Value = request.Hostname;
        p[4].Value = request.Path;
        p[5].Value = request.Url;
        p[6].Value = response is null ? DBNull.Value : response.StatusCode;
        p[7].Value = exchange.Duration is { } duration ? duration : DBNull.Value;
        p[8].Value = request.BodySize;
        p[9].Value = response is null ? DBNull.Value : response.BodySize;
        p[10].Value = (object?)responseType ?? DBNull.Value;
        p[11].Value = (object?)exchange.MatchedRuleId ?? DBNull.Value;
        p[12].Value = (object?)exchange.Tls?.Client?.Ja3Fingerprint ?? DBNull.Value;
        p[13].Value = (object?)exchange.Tls?.Client?.Ja4Fingerprint ?? DBNull.Value;
        p[14].Value = (object?)exchange.Tls?.Server?.Ja3sFingerprint ?? DBNull.Value;
        p[15].Value = requestBody is null ? 0 : 1;
        p[16].Value = responseBody is null ? 0 : 1;
        p[17].Value = (object?)exchange.Source ?? DBNull.Value;
        _exchange.Transaction = transaction;
        var seq = (long)_exchange.ExecuteScalar()!;

        var requestHeaders = HeaderJson.Write(request.Headers);
        var d = _details.Parameters;
        d[0].Value = seq;
        d[1].Value = exchange.HttpVersion;
        d[2].Value = requestHeaders;
        d[3].Value = request.BodyPreview;
        d[4].Value = (object?)response?.StatusMessage ?? DBNull.Value;
        d[5].Value = response is null ? DBNull.Value : HeaderJson.Write(response.Headers);
        d[6].Value = (object?)response?.BodyPreview ?? DBNull.Value;
        d[7].Value = (object?)TlsJson.Write(exchange.Tls) ?? DBNull.Value;
        d[8].Value = (object?)exchange.Error?.Kind.ToString() ?? DBNull.Value;
        d[9].Value = (object?)exchange.Error?.Message ?? DBNull.Value;
        d[10].Value = (object?)exchange.Timings.RequestSentMs ?? DBNull.Value;
        d[11].Value = (object?)exchange.Timings.ResponseHeadersMs ?? DBNull.Value;
        d[12].Value = (object?)exchange.Timings.ResponseDoneMs ?? DBNull.Value;
        d[13].Value = exchange.WebSocket ? 1 : 0;
        d[14].Value = (object?)exchange.ClientEndPoint ?? DBNull.Value;
        _details.Transaction = transaction;
        _details.ExecuteNonQuery();

        if (requestBody is not null) InsertBody(transaction, SessionDatabase.BodyRowId(seq, SessionDatabase.RequestSide), requestBody);
        if (responseBody is not null) InsertBody(transaction, SessionDatabase.BodyRowId(seq, SessionDatabase.ResponseSide), responseBody);

        if (!index)
        {
            _unindexed.Parameters[0].Value = seq;
            _unindexed.Transaction = transaction;
            _unindexed.ExecuteNonQuery();
            RememberHost(transaction, request.Hostname);
            return seq;
        }

        var t = _text.Parameters;
        t[0].Value = seq;
        t[1].Value = request.Url;
        t[2].Value = HeaderJson.Text(request.Headers);
        t[3].Value = response is null ? DBNull.Value : HeaderJson.Text(response.Headers);
        t[4].Value = (object?)IndexText(requestBody is null ? null : requestBody.OpenRead, requestBody?.Decoded ?? false, request.BodyPreview, request.Headers)
            ?? DBNull.Value;
        t[5].Value = response is null
            ? DBNull.Value
            : (object?)IndexText(responseBody is null ? null : responseBody.OpenRead, responseBody?.Decoded ?? false, response.BodyPreview, response.Headers)
                ?? DBNull.Value;
        _text.Transaction = transaction;
        _text.ExecuteNonQuery();

        _locator.Parameters[0].Value = seq;
        _locator.Parameters[1].Value = Locator(exchange);
        _locator.Transaction = transaction;
        _locator.ExecuteNonQuery();

        RememberHost(transaction, request.Hostname);
        return seq;
    }

    private void RememberHost(SqliteTransaction transaction, string hostname)
    {
        if (!_knownHosts.Add(hostname)) return;
        _host.Parameters[0].Value = hostname;
        _host.Transaction = transaction;
        _host.ExecuteNonQuery();
    }

    internal static string Locator(Exchange exchange) =>
        Locator(exchange.Request.Url, exchange.Request.Hostname, exchange.Request.Path, exchange.Id, exchange.MatchedRuleId);

    /// <summary>
    /// What the trigram index holds for the <c>text</c> filter: the URL, the hostname and path only when the URL does
    /// not already contain them (it nearly always does), the id and the rule id.
    /// </summary>
    internal static string Locator(string url, string hostname, string path, string id, string? rule)
    {
        var builder = new System.Text.StringBuilder(url, url.Length + id.Length + 64);
        if (!UrlHolds(url, hostname)) builder.Append('\n').Append(hostname);
        if (!UrlHolds(url, path)) builder.Append('\n').Append(path);
        builder.Append('\n').Append(id);
        if (rule is not null) builder.Append('\n').Append(rule);
        return builder.ToString();
    }

    /// <summary>
    /// True when <paramref name="part"/> (hostname or path) is inside the URL, so a <c>text</c> needle found in it is found
    /// in the URL too and the trigram locator need not hold it again (the index folds case, and LIKE confirms every hit).
    /// </summary>
    internal static bool UrlHolds(string url, string part) => url.Contains(part, StringComparison.OrdinalIgnoreCase);

    /// <summary>A hostname was added by a transaction that then rolled back: forget it so the next insert retries.</summary>
    public void ForgetHostsAfterRollback()
    {
        _knownHosts.Clear();
        using var hosts = _connection.CreateCommand();
        hosts.CommandText = "SELECT hostname FROM hosts";
        using var reader = hosts.ExecuteReader();
        while (reader.Read()) _knownHosts.Add(reader.GetString(0));
    }

    private void InsertBody(SqliteTransaction transaction, long rowId, BodyInput body)
    {
        if (body.Bytes is not null || body.Length <= InlineBlobBytes)
        {
            var bytes = body.Bytes ?? ReadAll(body);
            var b = _body.Parameters;
            b[0].Value = rowId;
            b[1].Value = bytes;
            b[2].Value = body.Truncated ? 1 : 0;
            b[3].Value = body.Decoded ? 1 : 0;
            _body.Transaction = transaction;
            _body.ExecuteNonQuery();
            return;
        }
        var l = _largeBody.Parameters;
        l[0].Value = rowId;
        l[1].Value = body.Length;
        l[2].Value = body.Truncated ? 1 : 0;
        l[3].Value = body.Decoded ? 1 : 0;
        _largeBody.Transaction = transaction;
        _largeBody.ExecuteNonQuery();
        // Streams a spooled body of any size into place without holding it in memory.
        using var blob = new SqliteBlob(_connection, "bodies", "data", rowId);
        using var source = body.OpenRead();
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            long written = 0;
            while (written < body.Length)
            {
                var read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, body.Length - written));
                if (read == 0) throw new IOException($"The captured body ended after {written} of {body.Length} bytes.");
                blob.Write(buffer, 0, read);
                written += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] ReadAll(BodyInput body)
    {
        var bytes = new byte[body.Length];
        using var source = body.OpenRead();
        source.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>
    /// The text the word index sees for one body: the decoded full body (first 1 MiB) when stored, else the preview;
    /// nothing for binary content, which would only fill the index with noise.
    /// </summary>
    internal static string? IndexText(Func<Stream>? openFull, bool alreadyDecoded, string? preview, HeaderList headers)
    {
        var mediaType = BodyDecoding.MediaType(headers.Get("content-type"));
        if (BodyDecoding.IsBinaryMediaType(mediaType)) return null;
        if (openFull is not null)
        {
            var decoded = BodyDecoding.Decode(openFull, headers.Get("content-encoding"), alreadyDecoded, IndexedTextBytes);
            return decoded.HasNul ? null : Encoding.UTF8.GetString(decoded.Bytes);
        }
        if (string.IsNullOrEmpty(preview) || preview.StartsWith(BinaryPreviewMarker, StringComparison.Ordinal)) return null;
        return preview;
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        return command;
    }

    public void Dispose()
    {
        _exchange.Dispose();
        _details.Dispose();
        _body.Dispose();
        _largeBody.Dispose();
        _text.Dispose();
        _locator.Dispose();
        _host.Dispose();
        _unindexed.Dispose();
    }
}
