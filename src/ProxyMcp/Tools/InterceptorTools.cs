using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Interceptors;
using ProxyMcp.Interceptors.Process;
using ProxyMcp.Proxy;
using ProxyMcp.Results;

namespace ProxyMcp.Tools;

/// <summary>interceptor_list, interceptor_status, interceptor_deactivate_all (spec 5.8.1), interceptor_spawn, interceptor_kill (5.8.3).</summary>
[McpServerToolType]
public sealed class InterceptorTools(ProxyRuntime runtime)
{
    [McpServerTool(Name = "interceptor_list", ReadOnly = true)]
    [Description("List the interceptors (ways to route programs, browsers or devices through the proxy), whether each can be used " +
                 "on this machine, and their active targets.")]
    public async Task<CallToolResult> ListAsync(CancellationToken cancellationToken = default)
    {
        var all = await runtime.Interceptors.DescribeAllAsync(cancellationToken);
        var result = ToolResult.Success();
        result["interceptors"] = Describe(all);
        result["totalActive"] = all.Sum(m => m.ActiveTargets.Count);
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "interceptor_status", ReadOnly = true)]
    [Description("One interceptor: whether it can be used and its active targets (for terminal: each process's pid, exit code and output tails).")]
    public async Task<CallToolResult> StatusAsync(
        [Description("Interceptor id from interceptor_list, e.g. terminal.")] string interceptor_id,
        CancellationToken cancellationToken = default)
    {
        var id = ToolArguments.RequiredText(interceptor_id, "interceptor_id").Trim();
        var metadata = await Guard(() => runtime.Interceptors.DescribeAsync(id, cancellationToken));
        var result = ToolResult.Success();
        foreach (var (key, value) in Describe(metadata)) result[key] = value?.DeepClone();
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "interceptor_deactivate_all", Destructive = true)]
    [Description("Stop every interceptor target: spawned processes are killed (proxy_stop does this too).")]
    public async Task<CallToolResult> DeactivateAllAsync(CancellationToken cancellationToken = default)
    {
        await Guard(async () =>
        {
            await runtime.Interceptors.DeactivateAllAsync(cancellationToken);
            return true;
        });
        var result = ToolResult.Success();
        result["message"] = "All interceptors deactivated.";
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "interceptor_spawn", Destructive = true)]
    [Description("Start a program (no shell) whose HTTP clients go through the running proxy: HTTP(S)_PROXY and the usual CA " +
                 "variables (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, NODE_EXTRA_CA_CERTS, …) are set, pointing at a bundle of " +
                 "the system's roots plus the proxy CA, so TLS verification stays on. An inherited NO_PROXY is dropped (pass one in env " +
                 "to keep hosts off the proxy). Node before 24 ignores proxy variables. Output and exit code: interceptor_status; " +
                 "stop it with interceptor_kill.")]
    public async Task<CallToolResult> SpawnAsync(
        [Description("Program to run: a name looked up on PATH, or a path (relative to cwd).")] string command,
        [Description("Arguments, passed as they are (no shell quoting or expansion).")] string[]? args = null,
        [Description("Working directory (must exist; default: the server's current directory).")] string? cwd = null,
        [Description("Extra environment variables. The proxy and CA variables are set after these and win.")] Dictionary<string, string>? env = null,
        CancellationToken cancellationToken = default)
    {
        var request = new SpawnRequest(ToolArguments.RequiredText(command, "command"), args, ToolArguments.OptionalText(cwd), env);
        var context = ProxyContext();
        var terminal = (ProcessInterceptor)await Guard(() => runtime.Interceptors.GetActivableAsync(ProcessInterceptor.InterceptorId, cancellationToken));
        var target = await Guard(() => terminal.SpawnAsync(request, context, cancellationToken));
        var result = ToolResult.Success();
        result["targetId"] = target.Id;
        result["details"] = target.Details;
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "interceptor_kill", Destructive = true)]
    [Description("Stop a spawned process (SIGTERM, then SIGKILL after 3 s) and return the end of its output. output.exitCode is " +
                 "the code before the kill (null while it ran, as in proxy-mcp); output.exitCodeAfterKill is the code it ended with. " +
                 "A process that already exited is not an error.")]
    public async Task<CallToolResult> KillAsync(
        [Description("Target id from interceptor_spawn, e.g. proc_1234.")] string target_id,
        CancellationToken cancellationToken = default)
    {
        var id = ToolArguments.RequiredText(target_id, "target_id").Trim();
        var terminal = runtime.Interceptors.Find<ProcessInterceptor>()
            ?? throw new McpException($"No spawned process with target ID '{id}'");
        var outcome = await Guard(() => terminal.KillAsync(id, cancellationToken));
        var result = ToolResult.Success();
        result["message"] = outcome.WasRunning
            ? $"Process {id} killed."
            : $"Process {id} had already exited" + (outcome.Exit is { } exit ? $" with code {exit.ExitCode}." : ".");
        result["output"] = new JsonObject
        {
            ["stdout"] = outcome.Stdout,
            ["stderr"] = outcome.Stderr,
            // proxy-mcp reports the code read before the kill: null for a process that was still running.
            ["exitCode"] = outcome.WasRunning ? null : outcome.Exit?.ExitCode,
            ["exitCodeAfterKill"] = outcome.Exit?.ExitCode,
            ["exitedAt"] = outcome.Exit?.ExitedAt,
        };
        result["wasRunning"] = outcome.WasRunning;
        return ToolResult.Ok(result);
    }

    /// <summary>InterceptorMetadata as proxy-mcp shows it: {id, name, description, isActivable, activeTargets}.</summary>
    public static JsonObject Describe(InterceptorMetadata metadata) => new()
    {
        ["id"] = metadata.Id,
        ["name"] = metadata.Name,
        ["description"] = metadata.Description,
        ["isActivable"] = metadata.IsActivable,
        ["activeTargets"] = new JsonArray([.. metadata.ActiveTargets.Select(t => (JsonNode)new JsonObject
        {
            ["id"] = t.Id,
            ["description"] = t.Description,
            ["activatedAt"] = t.ActivatedAt,
            ["details"] = t.Details.DeepClone(),
        })]),
    };

    public static JsonArray Describe(IEnumerable<InterceptorMetadata> all) => new([.. all.Select(m => (JsonNode)Describe(m))]);

    /// <summary>Where the proxy listens and which CA to trust; the spec's "[proxy]" precondition.</summary>
    private InterceptionContext ProxyContext()
    {
        if (runtime.EndPoint is not { } endPoint) throw new McpException("Proxy is not running. Start it first with proxy_start.");
        var authority = runtime.FindAuthority() ?? throw new McpException("No certificate available. Start the proxy first.");
        return new InterceptionContext(endPoint, authority.CertificatePem, authority.SpkiSha256Base64);
    }

    /// <summary>Interceptor failures carry messages meant for the agent (bare, as proxy-mcp's interceptor tools); pass them on as such.</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (InterceptorException e)
        {
            throw new McpException(e.Message, e);
        }
    }
}
