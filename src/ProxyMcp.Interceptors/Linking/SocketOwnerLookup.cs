using System.Globalization;
using System.Net;

namespace ProxyMcp.Interceptors.Linking;

/// <summary>
/// Finds which local process holds a TCP socket, from the socket's local endpoint: /proc/net/tcp{,6} maps the endpoint to
/// a socket inode, and /proc/&lt;pid&gt;/fd/* links ("socket:[inode]") show who holds it. Linux only; elsewhere every
/// answer is null. A socket the client already closed has no inode any more, so it cannot be traced.
/// </summary>
public sealed class SocketOwnerLookup(string procRoot = "/proc")
{
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>
    /// Which of <paramref name="rootPids"/> holds the socket, itself or through a descendant process; the first root in the
    /// given order wins. Null when none does.
    /// </summary>
    public int? FindOwner(IPEndPoint localEndPoint, IReadOnlyCollection<int> rootPids)
    {
        if (!IsSupported || rootPids.Count == 0) return null;
        var inodes = FindSocketInodes(localEndPoint);
        if (inodes.Count == 0) return null;
        var tree = new ProcessTree(procRoot);
        foreach (var root in rootPids)
        {
            foreach (var pid in tree.SelfAndDescendants(root))
            {
                if (HoldsAny(pid, inodes)) return root;
            }
        }
        return null;
    }

    /// <summary>Any process holding the socket (scans every process we may inspect); null when none is found.</summary>
    public int? FindAnyOwner(IPEndPoint localEndPoint)
    {
        if (!IsSupported) return null;
        var inodes = FindSocketInodes(localEndPoint);
        if (inodes.Count == 0) return null;
        foreach (var pid in ProcessTree.AllPids(procRoot))
        {
            if (HoldsAny(pid, inodes)) return pid;
        }
        return null;
    }

    /// <summary>Inodes of open sockets whose local end is <paramref name="localEndPoint"/>, from both TCP tables.</summary>
    internal HashSet<long> FindSocketInodes(IPEndPoint localEndPoint)
    {
        var inodes = new HashSet<long>();
        foreach (var table in new[] { "net/tcp", "net/tcp6" })
        {
            var lines = ReadLines(Path.Combine(procRoot, table));
            foreach (var inode in ProcNetTcp.FindInodes(lines, localEndPoint)) inodes.Add(inode);
        }
        return inodes;
    }

    private bool HoldsAny(int pid, HashSet<long> inodes)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "fd")))
            {
                string? target;
                try
                {
                    target = new FileInfo(fd).LinkTarget;
                }
                catch (IOException)
                {
                    continue; // The descriptor was closed while we looked.
                }
                if (target is not null && TryParseSocketInode(target, out var inode) && inodes.Contains(inode)) return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone, or another user's process.
        }
        return false;
    }

    /// <summary>"socket:[12345]" → 12345.</summary>
    internal static bool TryParseSocketInode(string linkTarget, out long inode)
    {
        inode = 0;
        const string prefix = "socket:[";
        return linkTarget.StartsWith(prefix, StringComparison.Ordinal) && linkTarget.EndsWith(']') &&
               long.TryParse(linkTarget.AsSpan(prefix.Length, linkTarget.Length - prefix.Length - 1), NumberStyles.None,
                   CultureInfo.InvariantCulture, out inode);
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return []; // No IPv6 in this kernel or namespace.
        }
    }
}
