using ProxyMcp.Capture.Sessions;

namespace ProxyMcp.Capture.Har;

/// <summary>
/// The files the HAR tools may touch. proxy-mcp took any path (weakness 23), so an agent's slip could overwrite
/// <c>~/.bashrc</c> with a HAR or have the server read its own stdin. Here an export lands only in a file named
/// <c>*.har</c> or <c>*.json</c> that is not a directory (it is written beside and renamed into place, so a symbolic
/// link there is replaced, never followed); an import reads only a non-empty regular file, so a FIFO or a device
/// (<c>/dev/stdin</c> is the MCP stream itself) can neither block nor corrupt the server.
/// </summary>
public static class HarFilePath
{
    private static readonly string[] ExportExtensions = [".har", ".json"];

    /// <summary>The full path an export may write; throws <see cref="SessionException"/> saying what to fix.</summary>
    public static string ForExport(string requested)
    {
        var full = FullPath(requested, "output_file");
        if (!ExportExtensions.Contains(Path.GetExtension(full), StringComparer.OrdinalIgnoreCase))
        {
            throw new SessionException($"output_file must end with .har or .json (got '{requested}'); the export never writes other kinds of file.");
        }
        if (Directory.Exists(full)) throw new SessionException($"output_file '{requested}' is a directory; name a file inside it.");
        return full;
    }

    /// <summary>The full path an import may read; throws <see cref="SessionException"/> saying what to fix.</summary>
    public static string ForImport(string requested)
    {
        var full = FullPath(requested, "har_file");
        if (Directory.Exists(full)) throw new SessionException($"har_file '{full}' is a directory, not a HAR file.");
        var file = new FileInfo(full);
        if (!file.Exists) throw new SessionException($"Cannot read HAR file '{full}': no such file.");
        // Pipes, sockets and character devices report a size of 0, like an empty file; none of them is a HAR. A link
        // reports its own size, so its final target is measured (/dev/stdin ends at "pipe:[…]", which is no file).
        if (Target(file) is not { Exists: true, Length: > 0 })
        {
            throw new SessionException($"har_file '{full}' is empty or not a regular file (a pipe or a device); pass a HAR file.");
        }
        return full;
    }

    private static FileInfo? Target(FileInfo file)
    {
        if (file.LinkTarget is null) return file;
        try
        {
            return file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo;
        }
        catch (IOException)
        {
            return null; // a link loop
        }
    }

    private static string FullPath(string requested, string parameter)
    {
        if (string.IsNullOrWhiteSpace(requested)) throw new SessionException($"{parameter} must not be empty.");
        if (requested.Contains('\0')) throw new SessionException($"{parameter} must not contain NUL characters.");
        try
        {
            return Path.GetFullPath(requested);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new SessionException($"{parameter} '{requested}' is not a valid path: {e.Message}");
        }
    }
}
