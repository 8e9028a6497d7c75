using Microsoft.Data.Sqlite;

namespace ProxyMcp.Capture.Sessions;

/// <summary>The session this process records into: its folder, write connection, writer and recording lock.</summary>
internal sealed class ActiveSession(SessionManifest manifest, string directory, SqliteConnection connection, SessionWriter writer, FileStream lockStream)
{
    /// <summary>The manifest as created; the counters live in <see cref="Writer"/>.</summary>
    public SessionManifest Manifest { get; } = manifest;
    public string Directory { get; } = directory;
    public SqliteConnection Connection { get; } = connection;
    public SessionWriter Writer { get; } = writer;
    public FileStream LockStream { get; } = lockStream;

    public SessionManifest CurrentManifest()
    {
        var state = Writer.State;
        return Manifest with
        {
            ExchangeCount = state.ExchangeCount,
            LastSequence = state.LastSequence,
            DroppedWrites = state.DroppedWrites,
            BytesWritten = state.BytesWritten,
            LastFlushAt = state.LastFlushAt,
            LastError = state.LastError,
            RecoveryState = state.RecoveryState,
        };
    }
}
