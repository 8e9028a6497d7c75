using System.Globalization;

namespace ProxyMcp.Interceptors.Linking;

/// <summary>
/// Walks a process's descendants through /proc. Uses /proc/&lt;pid&gt;/task/&lt;tid&gt;/children where the kernel provides it,
/// else builds a parent map once from every /proc/&lt;pid&gt;/stat.
/// </summary>
internal sealed class ProcessTree(string procRoot)
{
    private Dictionary<int, List<int>>? _childrenByParent;

    /// <summary>The process itself first, then its descendants breadth-first; each pid once.</summary>
    public IEnumerable<int> SelfAndDescendants(int root)
    {
        var seen = new HashSet<int> { root };
        var queue = new Queue<int>();
        queue.Enqueue(root);
        while (queue.Count > 0)
        {
            var pid = queue.Dequeue();
            yield return pid;
            foreach (var child in ChildrenOf(pid))
            {
                if (seen.Add(child)) queue.Enqueue(child);
            }
        }
    }

    private IEnumerable<int> ChildrenOf(int pid)
    {
        var taskDirectory = Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "task");
        List<int>? children = null;
        try
        {
            foreach (var task in Directory.EnumerateDirectories(taskDirectory))
            {
                var file = Path.Combine(task, "children");
                if (!File.Exists(file)) return FromParentMap(pid);
                children ??= [];
                foreach (var token in File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var child)) children.Add(child);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process exited while we looked.
        }
        return children ?? [];
    }

    private List<int> FromParentMap(int pid)
    {
        if (_childrenByParent is null)
        {
            _childrenByParent = [];
            foreach (var candidate in AllPids(procRoot))
            {
                if (ReadParent(candidate) is not { } parent) continue;
                if (!_childrenByParent.TryGetValue(parent, out var list)) _childrenByParent[parent] = list = [];
                list.Add(candidate);
            }
        }
        return _childrenByParent.TryGetValue(pid, out var children) ? children : [];
    }

    private int? ReadParent(int pid)
    {
        try
        {
            return ParseParentPid(File.ReadAllText(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "stat")));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The 4th field of /proc/&lt;pid&gt;/stat; the command name (2nd, in parentheses) may itself hold spaces and ')'.</summary>
    internal static int? ParseParentPid(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var rest = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return rest.Length >= 2 && int.TryParse(rest[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) ? parent : null;
    }

    public static IEnumerable<int> AllPids(string procRoot)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateDirectories(procRoot).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }
        foreach (var entry in entries)
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) yield return pid;
        }
    }
}
