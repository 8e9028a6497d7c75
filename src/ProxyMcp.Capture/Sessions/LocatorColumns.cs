using System.Collections;
using System.Text;
using Microsoft.Data.Sqlite;

namespace ProxyMcp.Capture.Sessions;

/// <summary>
/// The text that <c>url_contains</c> and <c>text</c> filters look in, for every row of one session, held in memory as
/// one ASCII-lower-cased UTF-8 buffer so a substring filter is a vectorised scan instead of a per-row SQL LIKE. The
/// trigram index can only narrow such a filter; confirming 100,000 candidates row by row cost ~450 ms at 1M rows,
/// a scan of this buffer ~20 ms, with the same answer: SQLite's LIKE folds ASCII letters only, and so does this.
/// </summary>
/// <remarks>
/// Row layout: <c>url \0 [hostname \0] [path \0] exchange_id \0 [matched_rule_id \0]</c>, hostname and path only
/// when they are not already inside the URL (a needle found in them is then found in the URL too). A needle never
/// holds <c>\0</c>, so no match spans two fields. Rows are appended in <c>seq</c> order; stored rows never change,
/// so catching up is reading the rows after the last one held. Not thread-safe: <see cref="LocatorCache"/> serialises.
/// </remarks>
internal sealed class LocatorColumns
{
    private byte[] _text = new byte[1 << 16];
    private int _textLength;
    private long[] _seqs = new long[1024];
    private long[] _timestamps = new long[1024];
    private int[] _rowStarts = new int[1025];
    private int[] _urlEnds = new int[1024];
    private int[] _statuses = new int[1024];
    private ushort[] _methods = new ushort[1024];
    private int[] _hosts = new int[1024];
    private readonly Dictionary<string, ushort> _methodIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _hostIds = new(StringComparer.Ordinal);
    private readonly List<string> _hostNames = [];

    /// <summary>Rows held.</summary>
    public int Count { get; private set; }

    /// <summary>The highest <c>seq</c> held (0 when empty).</summary>
    public long LastSeq => Count == 0 ? 0 : _seqs[Count - 1];

    /// <summary>True while every row's timestamp is ≥ the previous row's: <c>seq</c> order is then timestamp order.</summary>
    public bool InTimestampOrder { get; private set; } = true;

    /// <summary>Bytes held (what the cache's memory budget counts).</summary>
    public long SizeBytes => _text.LongLength + (_seqs.LongLength + _timestamps.LongLength) * sizeof(long)
        + (_rowStarts.LongLength + _urlEnds.LongLength + _statuses.LongLength + _hosts.LongLength) * sizeof(int)
        + _methods.LongLength * sizeof(ushort);

    /// <summary>
    /// Reads the rows after <see cref="LastSeq"/>; returns false (keeping what was read) when holding them would pass
    /// <paramref name="maxBytes"/> or the 2 GiB a single buffer can hold.
    /// </summary>
    public bool CatchUp(SqliteConnection connection, SqliteTransaction transaction, long maxBytes, CancellationToken cancellationToken = default)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT seq, timestamp, url, hostname, path, exchange_id, matched_rule_id, method, status_code FROM exchanges
            WHERE seq > $after ORDER BY seq
            """;
        command.Parameters.AddWithValue("$after", LastSeq);
        using var reader = command.ExecuteReader();
        var rows = 0;
        while (reader.Read())
        {
            if ((++rows & 4095) == 0) cancellationToken.ThrowIfCancellationRequested();
            var url = reader.GetString(2);
            var hostname = reader.GetString(3);
            var path = reader.GetString(4);
            var rule = reader.IsDBNull(6) ? null : reader.GetString(6);
            var status = reader.IsDBNull(8) ? NoStatus : reader.GetInt32(8);
            if (!Append(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(7), status, url, hostname, path, reader.GetString(5), rule, maxBytes))
                return false;
        }
        return true;
    }

    /// <summary>Appends one row (its seq above every held one); false when the buffers would pass their bound.</summary>
    public bool Append(long seq, long timestamp, string method, int status, string url, string hostname, string path, string exchangeId,
        string? matchedRuleId, long maxBytes)
    {
        if (!_methodIds.TryGetValue(method, out var methodId))
        {
            if (_methodIds.Count == ushort.MaxValue) return false;
            _methodIds.Add(method, methodId = (ushort)_methodIds.Count);
        }
        if (!_hostIds.TryGetValue(hostname, out var hostId))
        {
            _hostIds.Add(hostname, hostId = _hostNames.Count);
            _hostNames.Add(hostname);
        }
        var hostnameInUrl = ExchangeRowWriter.UrlHolds(url, hostname);
        var pathInUrl = ExchangeRowWriter.UrlHolds(url, path);
        var worstCase = (long)(url.Length + exchangeId.Length + (matchedRuleId?.Length ?? 0)
            + (hostnameInUrl ? 0 : hostname.Length) + (pathInUrl ? 0 : path.Length)) * 3 + 5;
        if (!EnsureCapacity(worstCase, maxBytes)) return false;

        var row = Count;
        _seqs[row] = seq;
        _timestamps[row] = timestamp;
        _methods[row] = methodId;
        _statuses[row] = status;
        _hosts[row] = hostId;
        if (row > 0 && timestamp < _timestamps[row - 1]) InTimestampOrder = false;
        _rowStarts[row] = _textLength;
        Write(url);
        _urlEnds[row] = _textLength - 1;
        if (!hostnameInUrl) Write(hostname);
        if (!pathInUrl) Write(path);
        Write(exchangeId);
        if (matchedRuleId is not null) Write(matchedRuleId);
        Count = row + 1;
        _rowStarts[Count] = _textLength;
        return true;
    }

    /// <summary>
    /// The rows <paramref name="query"/> selects, as a bit set indexed by row: substring filters scan the text (ASCII
    /// case-insensitively, as LIKE does), the others compare the held method, status, host and timestamp. Null when
    /// the query cannot be answered here (a needle holding a NUL, a content-type filter), so the caller asks SQL.
    /// </summary>
    public BitArray? Match(SessionQuery query, out int matches)
    {
        matches = 0;
        if (query.ContentTypeContains is not null) return null;
        var url = query.UrlContains is null ? null : Needle(query.UrlContains);
        var text = query.Text is null ? null : Needle(query.Text);
        if ((query.UrlContains is not null && url is null) || (query.Text is not null && text is null)) return null;
        if (query.HostnameContains?.Contains('\0') == true) return null;

        BitArray? selected = null;
        if (url is not null) selected = Scan(url, urlOnly: true, within: null, out matches);
        if (text is not null) selected = Scan(text, urlOnly: false, within: selected, out matches);
        if (selected is null)
        {
            selected = new BitArray(Count, true);
            matches = Count;
        }
        if (query.Method is null && query.StatusCode is null && query.HostnameContains is null && query.FromTs is null && query.ToTs is null)
            return selected;

        // method = upper-cased value, exactly as the SQL compares; an unknown method selects nothing.
        var method = -1;
        if (query.Method is not null) method = _methodIds.TryGetValue(query.Method.ToUpperInvariant(), out var id) ? id : int.MaxValue;
        var hosts = query.HostnameContains is null ? null : MatchingHosts(query.HostnameContains);
        var from = query.FromTs ?? long.MinValue;
        var to = query.ToTs ?? long.MaxValue;
        var status = query.StatusCode;
        matches = 0;
        for (var row = 0; row < Count; row++)
        {
            if (!selected[row]) continue;
            var keep = (method < 0 || _methods[row] == method)
                && (status is null || _statuses[row] == status.Value)
                && (hosts is null || hosts[_hosts[row]])
                && _timestamps[row] >= from && _timestamps[row] <= to;
            if (keep) matches++;
            else selected[row] = false;
        }
        return selected;
    }

    /// <summary>Which held hostnames contain <paramref name="needle"/>, ASCII case-insensitively (LIKE's rule).</summary>
    private bool[] MatchingHosts(string needle)
    {
        var wanted = Needle(needle) ?? [];
        var result = new bool[_hostNames.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var name = Encoding.UTF8.GetBytes(_hostNames[i]);
            LowerAscii(name);
            result[i] = name.AsSpan().IndexOf(wanted) >= 0;
        }
        return result;
    }

    /// <summary>Gives back the growth slack of a finished load (the text buffer doubles while it grows).</summary>
    public void TrimExcess()
    {
        var slack = Math.Max(1 << 16, _textLength / 16);
        if (_text.Length - _textLength > 2 * slack) Array.Resize(ref _text, _textLength + slack);
    }

    public long SeqAt(int row) => _seqs[row];

    public long TimestampAt(int row) => _timestamps[row];

    /// <summary>Status held for a row without a response (no status filter matches it, as in SQL).</summary>
    private const int NoStatus = int.MinValue;

    private BitArray Scan(byte[] needle, bool urlOnly, BitArray? within, out int matches)
    {
        matches = 0;
        var found = new BitArray(Count);
        if (Count == 0) return found;
        var text = _text.AsSpan(0, _textLength);
        var position = 0;
        var row = 0;
        while (position < text.Length)
        {
            var offset = needle.Length == 0 ? 0 : text[position..].IndexOf(needle);
            if (offset < 0) break;
            var hit = position + offset;
            row = RowContaining(hit, row);
            if ((!urlOnly || hit + needle.Length <= _urlEnds[row]) && (within is null || within[row]))
            {
                found[row] = true;
                matches++;
            }
            // One hit per row is enough; in a URL-only scan a first hit past the URL means the URL has none.
            position = _rowStarts[row + 1];
        }
        return found;
    }

    /// <summary>The row whose bytes include <paramref name="position"/>, searching forward from <paramref name="from"/>.</summary>
    private int RowContaining(int position, int from)
    {
        // Hits are usually near: a short forward walk, then a binary search over the rest.
        for (var row = from; row < Math.Min(Count, from + 8); row++)
        {
            if (_rowStarts[row + 1] > position) return row;
        }
        var index = Array.BinarySearch(_rowStarts, from, Count + 1 - from, position);
        return index >= 0 ? index : ~index - 1;
    }

    /// <summary>The needle as the buffer holds text (UTF-8, ASCII lower-cased), or null when it holds a NUL.</summary>
    private static byte[]? Needle(string needle)
    {
        if (needle.Contains('\0')) return null;
        var bytes = Encoding.UTF8.GetBytes(needle);
        LowerAscii(bytes);
        return bytes;
    }

    private void Write(string value)
    {
        var written = Encoding.UTF8.GetBytes(value, _text.AsSpan(_textLength));
        LowerAscii(_text.AsSpan(_textLength, written));
        _textLength += written;
        _text[_textLength++] = 0;
    }

    private static void LowerAscii(Span<byte> bytes)
    {
        foreach (ref var b in bytes)
        {
            if ((uint)(b - 'A') <= 'Z' - 'A') b |= 0x20;
        }
    }

    private bool EnsureCapacity(long textBytes, long maxBytes)
    {
        if (_textLength + textBytes > Array.MaxLength) return false;
        var growText = _textLength + textBytes > _text.Length;
        var growRows = Count + 1 >= _seqs.Length;
        if (!growText && !growRows) return true;
        var newText = growText ? (int)Math.Min(Array.MaxLength, Math.Max(_text.LongLength * 3 / 2, _textLength + textBytes)) : _text.Length;
        var newRows = growRows ? _seqs.Length * 2 : _seqs.Length;
        var projected = newText + (long)newRows * (2 * sizeof(long) + 4 * sizeof(int) + sizeof(ushort));
        if (projected > maxBytes) return false;
        if (growText) Array.Resize(ref _text, newText);
        if (growRows)
        {
            Array.Resize(ref _seqs, newRows);
            Array.Resize(ref _timestamps, newRows);
            Array.Resize(ref _urlEnds, newRows);
            Array.Resize(ref _statuses, newRows);
            Array.Resize(ref _methods, newRows);
            Array.Resize(ref _hosts, newRows);
            Array.Resize(ref _rowStarts, newRows + 1);
        }
        return true;
    }
}
