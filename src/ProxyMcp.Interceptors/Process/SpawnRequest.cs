namespace ProxyMcp.Interceptors.Process;

/// <summary>A program to start through the proxy (interceptor_spawn): no shell is involved.</summary>
/// <param name="Command">Executable name (looked up on PATH) or path (relative paths resolve against the working directory).</param>
/// <param name="Arguments">Passed one by one, never re-parsed.</param>
/// <param name="WorkingDirectory">Must exist; null means the server's current directory.</param>
/// <param name="Environment">
/// Extra variables, applied over the inherited ones. The proxy and CA variables are applied after them and win.
/// NO_PROXY/no_proxy are not inherited (an inherited "localhost" would let loopback traffic bypass the proxy) but are
/// honoured when given here.
/// </param>
public sealed record SpawnRequest(
    string Command,
    IReadOnlyList<string>? Arguments = null,
    string? WorkingDirectory = null,
    IReadOnlyDictionary<string, string>? Environment = null)
{
    /// <summary>Throws <see cref="InterceptorException"/> naming the first thing that cannot be passed to a process.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Command)) throw new InterceptorException("command must not be empty");
        if (Command.Contains('\0')) throw new InterceptorException("command must not contain NUL characters");
        if (Arguments is not null)
        {
            for (var i = 0; i < Arguments.Count; i++)
            {
                if (Arguments[i] is null) throw new InterceptorException($"args[{i}] must be a string");
                if (Arguments[i].Contains('\0')) throw new InterceptorException($"args[{i}] must not contain NUL characters");
            }
        }
        if (WorkingDirectory is not null && WorkingDirectory.Contains('\0')) throw new InterceptorException("cwd must not contain NUL characters");
        if (Environment is null) return;
        foreach (var (name, value) in Environment)
        {
            if (string.IsNullOrEmpty(name)) throw new InterceptorException("env names must not be empty");
            if (name.Contains('=') || name.Contains('\0')) throw new InterceptorException($"env name '{name.Replace("\0", "\\0")}' must not contain '=' or NUL");
            if (value is null) throw new InterceptorException($"env value of '{name}' must be a string");
            if (value.Contains('\0')) throw new InterceptorException($"env value of '{name}' must not contain NUL characters");
        }
    }
}
