namespace ProxyMcp.Engine.Exchanges;

/// <summary>
/// A complete raw body (as on the wire, still Content-Encoded) kept for a recording session: small bodies inline,
/// large ones in a spool file that is deleted on dispose. The consumer (the session writer) owns and disposes it.
/// </summary>
public sealed class CapturedBody : IDisposable
{
    private readonly byte[]? _inline;
    private readonly string? _spoolPath;

    internal CapturedBody(byte[]? inline, string? spoolPath, long length, bool truncated)
    {
        _inline = inline;
        _spoolPath = spoolPath;
        Length = length;
        Truncated = truncated;
    }

    /// <summary>Bytes kept (at most the policy's limit).</summary>
    public long Length { get; }

    /// <summary>True when the body was longer than the policy allowed and only the first bytes were kept.</summary>
    public bool Truncated { get; }

    public Stream OpenRead() => _inline is not null
        ? new MemoryStream(_inline, writable: false)
        : new FileStream(_spoolPath!, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan);

    /// <summary>The whole body in memory; for bodies already known to be small.</summary>
    public byte[] ToArray()
    {
        if (_inline is not null) return _inline;
        return File.ReadAllBytes(_spoolPath!);
    }

    public void Dispose()
    {
        if (_spoolPath is null) return;
        try { File.Delete(_spoolPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Full request and response bodies of one exchange, when body capture was on.</summary>
public sealed record CapturedBodies(CapturedBody? Request, CapturedBody? Response) : IDisposable
{
    public void Dispose()
    {
        Request?.Dispose();
        Response?.Dispose();
    }
}
