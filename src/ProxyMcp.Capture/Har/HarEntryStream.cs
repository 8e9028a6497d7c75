using System.Text.Json;
using ProxyMcp.Capture.Sessions;

namespace ProxyMcp.Capture.Har;

/// <summary>
/// Reads the elements of <c>log.entries</c> from a HAR stream one at a time, without ever holding more than one
/// entry (plus a read buffer) in memory, so files of any size import in constant memory. Accepts a UTF-8 BOM.
/// Other members of the document are skipped unparsed.
/// </summary>
internal sealed class HarEntryStream : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buffer = new byte[256 * 1024];
    private int _start;
    private int _end;
    private bool _final;
    private bool _bomChecked;
    private long _consumedBefore;
    private JsonReaderState _state = new(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 256 });
    private Phase _phase = Phase.Root;

    private enum Phase
    {
        Root,
        InRoot,
        InLog,
        InEntries,
        Done,
    }

    public HarEntryStream(Stream stream) => _stream = stream;

    /// <summary>Bytes of the file consumed so far (for progress).</summary>
    public long Position => _consumedBefore + _start;

    /// <summary>The next entry, or null after the last one. Throws <see cref="SessionException"/> on malformed input.</summary>
    public JsonDocument? Next()
    {
        while (true)
        {
            if (_phase == Phase.Done) return null;
            if (!_bomChecked)
            {
                if (_end - _start < 3 && !_final)
                {
                    Fill();
                    continue;
                }
                if (_end - _start >= 3 && _buffer[_start] == 0xEF && _buffer[_start + 1] == 0xBB && _buffer[_start + 2] == 0xBF) _start += 3;
                _bomChecked = true;
            }
            var result = Step(out var document);
            if (result == StepResult.Entry) return document;
            if (result == StepResult.End) return null;
            if (_final) throw Invalid("the file ended in the middle of the document");
            Fill();
        }
    }

    private enum StepResult
    {
        Entry,
        End,
        NeedMore,
    }

    private StepResult Step(out JsonDocument? document)
    {
        document = null;
        var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _final, _state);
        try
        {
            while (true)
            {
                var before = reader.BytesConsumed;
                var beforeState = reader.CurrentState;
                if (!reader.Read()) return Save(ref reader, StepResult.NeedMore);
                switch (_phase)
                {
                    case Phase.Root:
                        if (reader.TokenType != JsonTokenType.StartObject) throw new SessionException("Invalid HAR: the document is not a JSON object.");
                        _phase = Phase.InRoot;
                        break;
                    case Phase.InRoot:
                    case Phase.InLog:
                        if (reader.TokenType == JsonTokenType.EndObject) throw new SessionException("Invalid HAR: missing log.entries array.");
                        if (reader.TokenType != JsonTokenType.PropertyName) break;
                        var wanted = _phase == Phase.InRoot ? "log" : "entries";
                        var matches = reader.ValueTextEquals(wanted);
                        if (!reader.Read())
                        {
                            Rewind(before, beforeState);
                            return StepResult.NeedMore;
                        }
                        if (matches)
                        {
                            var expected = _phase == Phase.InRoot ? JsonTokenType.StartObject : JsonTokenType.StartArray;
                            if (reader.TokenType != expected)
                                throw new SessionException(_phase == Phase.InRoot ? "Invalid HAR: log is not an object." : "Invalid HAR: missing log.entries array.");
                            _phase = _phase == Phase.InRoot ? Phase.InLog : Phase.InEntries;
                        }
                        else if (!reader.TrySkip())
                        {
                            // The skipped value is not complete in the buffer: resume from its property name.
                            Rewind(before, beforeState);
                            return StepResult.NeedMore;
                        }
                        break;
                    case Phase.InEntries:
                        if (reader.TokenType == JsonTokenType.EndArray)
                        {
                            _phase = Phase.Done;
                            Save(ref reader, StepResult.End);
                            return StepResult.End;
                        }
                        var probe = reader;
                        if (!probe.TrySkip())
                        {
                            Rewind(before, beforeState);
                            return StepResult.NeedMore;
                        }
                        document = JsonDocument.ParseValue(ref reader);
                        return Save(ref reader, StepResult.Entry);
                }
            }
        }
        catch (JsonException ex)
        {
            throw Invalid(ex.Message.Split(" LineNumber", 2)[0] + $" (near byte {_consumedBefore + _start + reader.BytesConsumed})");
        }
    }

    private StepResult Save(ref Utf8JsonReader reader, StepResult result)
    {
        _start += (int)reader.BytesConsumed;
        _state = reader.CurrentState;
        return result;
    }

    /// <summary>Forgets the tokens read since <paramref name="consumed"/>; the next fill re-reads them with more data.</summary>
    private void Rewind(long consumed, JsonReaderState state)
    {
        _start += (int)consumed;
        _state = state;
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _consumedBefore += _start;
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2); // one entry larger than the buffer
        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0) _final = true;
        _end += read;
    }

    private static SessionException Invalid(string message) => new($"Invalid HAR JSON: {message}");

    public void Dispose() => _stream.Dispose();
}
