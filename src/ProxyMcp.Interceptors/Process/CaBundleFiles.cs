using System.Security.Cryptography;
using System.Text;

namespace ProxyMcp.Interceptors.Process;

/// <summary>The CA files handed to spawned programs: our CA alone, and a bundle of the system's roots followed by ours.</summary>
/// <param name="CaCertificatePath">Our CA certificate, PEM.</param>
/// <param name="CaBundlePath">System roots + our CA, PEM.</param>
public sealed record CaFiles(string CaCertificatePath, string CaBundlePath);

/// <summary>
/// Writes <see cref="CaFiles"/> into one directory, owner-only, reusing them while neither our CA nor the system bundle
/// changed, and deletes every file it wrote on <see cref="Delete"/> (when the proxy stops).
/// </summary>
public sealed class CaBundleFiles(string directory, Func<string?>? locateSystemBundle = null)
{
    private readonly Func<string?> _locateSystemBundle = locateSystemBundle
        ?? (() => SystemRoots.LocateBundle(Environment.GetEnvironmentVariable("SSL_CERT_FILE")));
    private readonly Lock _lock = new();
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);
    private (string Key, CaFiles Files)? _current;

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>Paths of the files for <paramref name="caPem"/>, written now unless the current ones still match.</summary>
    public CaFiles Ensure(string caPem)
    {
        lock (_lock)
        {
            var systemBundle = _locateSystemBundle();
            var key = ReuseKey(caPem, systemBundle);
            if (_current is { } current && current.Key == key &&
                File.Exists(current.Files.CaCertificatePath) && File.Exists(current.Files.CaBundlePath))
            {
                return current.Files;
            }

            var systemPem = systemBundle is not null ? File.ReadAllText(systemBundle) : SystemRoots.ExportRootStore();
            var ours = caPem.EndsWith('\n') ? caPem : caPem + "\n";
            var bundle = new StringBuilder(systemPem.Length + ours.Length + 100).Append(systemPem);
            if (bundle.Length > 0 && bundle[^1] != '\n') bundle.Append('\n');
            bundle.Append("\n# ProxyMcp interception CA (so traffic through the proxy verifies)\n").Append(ours);

            CreateDirectory();
            var files = new CaFiles(
                WriteOwnerOnly("proxy-mcp-ca-", ours),
                WriteOwnerOnly("proxy-mcp-ca-bundle-", bundle.ToString()));
            _current = (key, files);
            return files;
        }
    }

    /// <summary>Deletes every file written so far; missing ones are fine.</summary>
    public void Delete()
    {
        lock (_lock)
        {
            foreach (var path in _written)
            {
                try
                {
                    File.Delete(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Best effort, like proxy-mcp's temp-file cleanup; a later Ensure writes fresh files anyway.
                }
            }
            _written.Clear();
            _current = null;
        }
    }

    private static string ReuseKey(string caPem, string? systemBundle)
    {
        var stamp = "store";
        if (systemBundle is not null)
        {
            var info = new FileInfo(systemBundle);
            stamp = $"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}";
        }
        return caPem + "\n" + stamp;
    }

    private void CreateDirectory()
    {
        if (OperatingSystem.IsWindows()) System.IO.Directory.CreateDirectory(Directory);
        else System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Content-addressed name, so an unchanged bundle keeps its path; written to a temporary name and moved into place.</summary>
    private string WriteOwnerOnly(string prefix, string contents)
    {
        var bytes = Encoding.UTF8.GetBytes(contents);
        var name = prefix + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8)) + ".pem";
        var path = Path.Combine(Directory, name);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var stream = new FileStream(temporary, options)) stream.Write(bytes);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
        _written.Add(path);
        return path;
    }
}
