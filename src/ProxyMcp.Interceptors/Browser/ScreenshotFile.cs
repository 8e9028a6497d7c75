namespace ProxyMcp.Interceptors.Browser;

/// <summary>
/// Where interceptor_browser_screenshot may write: an absolute path or one relative to the server's working directory,
/// whose extension matches the format, that is not a directory and not one of the files we protect (the CA certificate and
/// key). The file is written to a temporary sibling and moved into place, so a symbolic link at the destination is replaced,
/// never followed into some other file.
/// </summary>
public static class ScreenshotFile
{
    /// <summary>The full path to write; throws <see cref="InterceptorException"/> with what to fix.</summary>
    /// <param name="protectedFiles">Files that must never be overwritten (compared after resolving symbolic links).</param>
    public static string Resolve(string requested, string format, IEnumerable<string> protectedFiles)
    {
        if (requested.Contains('\0')) throw new InterceptorException("file_path must not contain NUL characters");
        string full;
        try
        {
            full = Path.GetFullPath(requested);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new InterceptorException($"file_path '{requested}' is not a valid path: {e.Message}");
        }
        var extension = Path.GetExtension(full).ToLowerInvariant();
        var allowed = format == "jpeg" ? new[] { ".jpg", ".jpeg" } : [".png"];
        if (!allowed.Contains(extension))
        {
            throw new InterceptorException($"file_path must end with {string.Join(" or ", allowed)} for format '{format}' (got '{requested}')");
        }
        if (Directory.Exists(full)) throw new InterceptorException($"file_path '{requested}' is a directory");

        var real = RealPath(full);
        foreach (var file in protectedFiles)
        {
            if (string.Equals(real, RealPath(Path.GetFullPath(file)), OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase))
            {
                throw new InterceptorException($"file_path '{requested}' would overwrite a file the proxy needs; choose another path");
            }
        }
        return full;
    }

    /// <summary>Writes the image: parent directories are created, the bytes land in a temporary file that is then moved over the destination.</summary>
    public static void Write(string fullPath, byte[] bytes)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
            var temporary = fullPath + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
            try
            {
                File.WriteAllBytes(temporary, bytes);
                File.Move(temporary, fullPath, overwrite: true);
            }
            finally
            {
                if (File.Exists(temporary)) File.Delete(temporary);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InterceptorException($"Cannot write the screenshot to '{fullPath}': {e.Message}", e);
        }
    }

    /// <summary>The path with every symbolic link along it resolved (as far as the path exists).</summary>
    internal static string RealPath(string fullPath)
    {
        var root = Path.GetPathRoot(fullPath) ?? "";
        var current = root;
        foreach (var part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            try
            {
                if (info.Exists && info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
                {
                    current = Path.GetFullPath(target.FullName);
                }
            }
            catch (IOException)
            {
                // A dangling or looping link: compare it as it is.
            }
        }
        return current;
    }
}
