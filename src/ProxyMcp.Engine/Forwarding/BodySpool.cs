using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Engine.Forwarding;

/// <summary>Collects a complete body for capture: memory first, a spool file past the inline limit, capped.</summary>
internal sealed class BodySpool(BodyCapturePolicy policy) : IDisposable
{
    private MemoryStream? _memory = new();
    private FileStream? _file;
    private string? _path;
    private long _kept;
    private bool _truncated;
    private bool _failed;

    public void Write(ReadOnlySpan<byte> chunk)
    {
        if (_failed || chunk.IsEmpty) return;
        var room = policy.MaxBytes - _kept;
        if (room <= 0)
        {
            _truncated = true;
            return;
        }
        if (chunk.Length > room)
        {
            chunk = chunk[..(int)room];
            _truncated = true;
        }
        try
        {
            if (_memory is not null && _memory.Length + chunk.Length > policy.InlineBytes)
            {
                Directory.CreateDirectory(policy.SpoolDirectory);
                _path = Path.Combine(policy.SpoolDirectory, Guid.NewGuid().ToString("N") + ".body");
                _file = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 256 * 1024);
                _memory.Position = 0;
                _memory.CopyTo(_file);
                _memory = null;
            }
            if (_memory is not null) _memory.Write(chunk);
            else _file!.Write(chunk);
            _kept += chunk.Length;
        }
        catch (IOException)
        {
            // A full disk must not break forwarding: the capture just loses this body.
            _failed = true;
        }
    }

    /// <summary>Hands the body over; the spool no longer owns the file.</summary>
    public CapturedBody? Complete()
    {
        if (_failed)
        {
            Dispose();
            return null;
        }
        if (_memory is not null)
        {
            var bytes = _memory.ToArray();
            _memory = null;
            return new CapturedBody(bytes, null, bytes.Length, _truncated);
        }
        _file!.Dispose();
        _file = null;
        var path = _path;
        _path = null;
        return new CapturedBody(null, path, _kept, _truncated);
    }

    public void Dispose()
    {
        _memory = null;
        _file?.Dispose();
        _file = null;
        if (_path is not null)
        {
            try { File.Delete(_path); } catch (IOException) { }
            _path = null;
        }
    }
}
