using System.Text.Json;

namespace ProxyMcp.Capture.Sessions;

/// <summary>The files of one session folder besides the database: the lock held while recording and manifest.json.</summary>
internal static class SessionFiles
{
    public const string LockFile = "recording.lock";
    public const string ManifestFile = "manifest.json";
    public const string SpoolFolder = "spool";

    /// <summary>Bytes on disk: the database and its write-ahead log.</summary>
    public static long DiskUsage(string databasePath) => Size(databasePath) + Size(databasePath + "-wal");

    private static long Size(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? info.Length : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Takes the recording lock: an exclusive OS lock that dies with the process, so another process (or this one
    /// after a crash) can tell a session that is really being recorded from one whose recorder was killed.
    /// </summary>
    public static FileStream AcquireLock(string sessionDirectory)
    {
        var path = Path.Combine(sessionDirectory, LockFile);
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            stream.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            stream.Write(pid);
            stream.Flush();
            return stream;
        }
        catch (IOException ex)
        {
            throw new SessionException($"The session in '{sessionDirectory}' is being recorded by another process.", ex);
        }
    }

    public static void ReleaseLock(FileStream? lockStream, string sessionDirectory)
    {
        if (lockStream is null) return;
        lockStream.Dispose();
        try { File.Delete(Path.Combine(sessionDirectory, LockFile)); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>True when another live process holds the session's recording lock.</summary>
    public static bool IsLockedElsewhere(string sessionDirectory)
    {
        var path = Path.Combine(sessionDirectory, LockFile);
        if (!File.Exists(path)) return false;
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Writes manifest.json (2-space JSON, via a temporary file and a rename) so the folder explains itself to a
    /// person or script; nothing reads it back, the database is the truth.
    /// </summary>
    public static void WriteManifest(string sessionDirectory, SessionManifest manifest)
    {
        var path = Path.Combine(sessionDirectory, ManifestFile);
        var temporary = path + ".tmp";
        try
        {
            File.WriteAllText(temporary, SessionJson.Manifest(manifest).ToJsonString(IndentedOptions));
            File.Move(temporary, path, overwrite: true);
        }
        catch (IOException)
        {
            // Informational only: a full disk must not fail a stop.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static readonly JsonSerializerOptions IndentedOptions = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
