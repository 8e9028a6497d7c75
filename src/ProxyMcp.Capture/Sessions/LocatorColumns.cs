using System.Collections;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

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
    private readonly List<byte[]> _methodBytes = [];
    private readonly Dictionary<string, int> _hostIds = new(StringComparer.Ordinal);
    private readonly List<string> _hostNames = [];
    private readonly List<byte[]> _hostBytes = [];

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
    /// <remarks>
    /// Reads through SQLite's own statement API rather than a data reader: each text column arrives as a span of
    /// the UTF-8 bytes SQLite holds, copied once into the buffer, instead of six strings per row decoded from UTF-8
    /// and encoded back (most of the time of loading a million rows).
    /// </remarks>
    public bool CatchUp(SqliteConnection connection, SqliteTransaction transaction, long maxBytes, CancellationToken cancellationToken = default)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT seq, timestamp, url, hostname, path, exchange_id, matched_rule_id, method, status_code FROM exchanges
            WHERE seq > $after ORDER BY seq
            """;
        command.Parameters.AddWithValue("$after", LastSeq);
        var complete = true;
        // The statement runs on the connection's handle, inside the transaction already begun on it.
        NativeColumns.Run(connection, command, pointer =>
        {
            // Each column's type is read before its value: reading a value may convert it.
            var hasRule = NativeColumns.Type(pointer, 6) != raw.SQLITE_NULL;
            var hasStatus = NativeColumns.Type(pointer, 8) != raw.SQLITE_NULL;
            var row = new StoredRow
            {
                Seq = NativeColumns.Int64(pointer, 0),
                Timestamp = NativeColumns.Int64(pointer, 1),
                Url = NativeColumns.Blob(pointer, 2),
                Hostname = NativeColumns.Blob(pointer, 3),
                Path = NativeColumns.Blob(pointer, 4),
                ExchangeId = NativeColumns.Blob(pointer, 5),
                HasRule = hasRule,
                MatchedRuleId = hasRule ? NativeColumns.Blob(pointer, 6) : default,
                Method = NativeColumns.Blob(pointer, 7),
                Status = hasStatus ? (int)NativeColumns.Int64(pointer, 8) : NoStatus,
            };
            complete = Append(row, maxBytes);
            return complete;
        }, cancellationToken);
        return complete;
    }

    /// <summary>One stored row as SQLite hands it over: UTF-8 bytes valid until the next step.</summary>
    private readonly ref struct StoredRow
    {
        public long Seq { get; init; }
        public long Timestamp { get; init; }
        public ReadOnlySpan<byte> Url { get; init; }
        public ReadOnlySpan<byte> Hostname { get; init; }
        public ReadOnlySpan<byte> Path { get; init; }
        public ReadOnlySpan<byte> ExchangeId { get; init; }
        public bool HasRule { get; init; }
        public ReadOnlySpan<byte> MatchedRuleId { get; init; }
        public ReadOnlySpan<byte> Method { get; init; }
        public int Status { get; init; }
    }

    /// <summary>Appends one row (its seq above every held one); false when the buffers would pass their bound.</summary>
    private bool Append(in StoredRow stored, long maxBytes)
    {
        var methodId = MethodId(stored.Method);
        if (methodId < 0) return false;
        var hostId = HostId(stored.Hostname);
        var worstCase = (long)stored.Url.Length + stored.Hostname.Length + stored.Path.Length + stored.ExchangeId.Length
            + stored.MatchedRuleId.Length + 5;
        if (!EnsureCapacity(worstCase, maxBytes)) return false;

        var row = Count;
        _seqs[row] = stored.Seq;
        _timestamps[row] = stored.Timestamp;
        _methods[row] = (ushort)methodId;
        _statuses[row] = stored.Status;
        _hosts[row] = hostId;
        if (row > 0 && stored.Timestamp < _timestamps[row - 1]) InTimestampOrder = false;
        _rowStarts[row] = _textLength;
        var url = Write(stored.Url);
        _urlEnds[row] = _textLength - 1;
        // Hostname and path only when the URL lacks them: a needle found in them is then found in the URL too, as LIKE
        // (ASCII case folding) sees it, because the check compares the folded bytes.
        WriteUnlessInside(stored.Hostname, url);
        WriteUnlessInside(stored.Path, url);
        Write(stored.ExchangeId);
        if (stored.HasRule) Write(stored.MatchedRuleId);
        Count = row + 1;
        _rowStarts[Count] = _textLength;
        return true;
    }

    /// <summary>The id of a method (a handful per session: a linear look-up of the bytes); -1 past 65,535 of them.</summary>
    private int MethodId(ReadOnlySpan<byte> method)
    {
        for (var i = 0; i < _methodBytes.Count; i++)
        {
            if (method.SequenceEqual(_methodBytes[i])) return i;
        }
        if (_methodBytes.Count == ushort.MaxValue) return -1;
        _methodBytes.Add(method.ToArray());
        _methodIds.Add(Encoding.UTF8.GetString(method), (ushort)(_methodBytes.Count - 1));
        return _methodBytes.Count - 1;
    }

    /// <summary>The id of a hostname; rows mostly repeat the previous row's host, so that is tried first.</summary>
    private int HostId(ReadOnlySpan<byte> hostname)
    {
        if (Count > 0 && hostname.SequenceEqual(_hostBytes[_hosts[Count - 1]])) return _hosts[Count - 1];
        var name = Encoding.UTF8.GetString(hostname);
        if (!_hostIds.TryGetValue(name, out var hostId))
        {
            _hostIds.Add(name, hostId = _hostNames.Count);
            _hostNames.Add(name);
            _hostBytes.Add(hostname.ToArray());
        }
        return hostId;
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

    /// <summary>Appends a field, ASCII lower-cased, and its NUL; returns the folded bytes as written.</summary>
    private ReadOnlySpan<byte> Write(ReadOnlySpan<byte> value)
    {
        var start = _textLength;
        var target = _text.AsSpan(start, value.Length);
        value.CopyTo(target);
        LowerAscii(target);
        _textLength += value.Length;
        _text[_textLength++] = 0;
        return _text.AsSpan(start, value.Length);
    }

    private void WriteUnlessInside(ReadOnlySpan<byte> value, ReadOnlySpan<byte> foldedUrl)
    {
        // Fold into the free space after the text (reserved by EnsureCapacity) and keep it only when the URL lacks it.
        var folded = _text.AsSpan(_textLength, value.Length);
        value.CopyTo(folded);
        LowerAscii(folded);
        if (foldedUrl.IndexOf(folded) >= 0) return;
        _textLength += value.Length;
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
