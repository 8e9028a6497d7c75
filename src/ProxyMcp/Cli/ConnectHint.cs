using System.Text.Json;

namespace ProxyMcp.Cli;

/// <summary>What to print when someone starts the stdio server from a terminal: how to plug it into an MCP client.</summary>
public static class ConnectHint
{
    public static async Task WriteAsync(TextWriter error)
    {
        var (command, arguments) = Invocation();
        var quoted = string.Join(' ', new[] { command }.Concat(arguments).Select(Quote));
        var json = JsonSerializer.Serialize(new { mcpServers = new { proxy = new { command, args = arguments } } });
        await error.WriteLineAsync($"""
            proxy-mcp speaks MCP (JSON-RPC) on stdin/stdout: it is meant to be started by an MCP client.
              Claude Code:  claude mcp add proxy -- {quoted}
              .mcp.json:    {json}
              Over HTTP:    proxy-mcp --transport http   (then connect to http://127.0.0.1:3001/mcp)
            Waiting for JSON-RPC on stdin; Ctrl+C to quit.
            """);
    }

    /// <summary>How this process was started, so the snippet works whether it runs as an apphost or via 'dotnet proxy-mcp.dll'.</summary>
    private static (string Command, string[] Arguments) Invocation()
    {
        var process = Environment.ProcessPath ?? "proxy-mcp";
        var arguments = Environment.GetCommandLineArgs().Skip(1).ToList();
        var name = Path.GetFileNameWithoutExtension(process);
        if (string.Equals(name, "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            arguments.Insert(0, typeof(ConnectHint).Assembly.Location);
        }
        return (process, [.. arguments]);
    }

    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:@%+,".Contains(c))
            ? value
            : "'" + value.Replace("'", "'\\''") + "'";
}
