using System.Diagnostics;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ProxyMcp.Tests.Support;

namespace ProxyMcp.Tests.Interceptors;

/// <summary>The interceptor tools and proxy://interceptors over a real MCP client, with real processes and a real proxy.</summary>
public sealed class InterceptorToolTests
{
    private static bool Has(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, program)));

    private static async Task<JsonElement> WaitUntilExitedAsync(InMemoryServer server, string targetId)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var status = (await server.CallAsync("interceptor_status", new { interceptor_id = "terminal" })).AssertSuccess();
            var target = status["activeTargets"].EnumerateArray().Single(t => t.GetProperty("id").GetString() == targetId);
            if (target.GetProperty("details").GetProperty("exited").GetBoolean()) return target;
            if (watch.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException(target.ToString());
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Lists_the_terminal_interceptor_with_the_spec_shape()
    {
        await using var server = await InMemoryServer.StartAsync();

        var list = (await server.CallAsync("interceptor_list")).AssertSuccess();

        Assert.Equal(["status", "interceptors", "totalActive"], list.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["terminal", "browser"], list["interceptors"].EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        var terminal = list["interceptors"][0];
        Assert.Equal(["id", "name", "description", "isActivable", "activeTargets"], terminal.EnumerateObject().Select(p => p.Name));
        Assert.Equal("terminal", terminal.GetProperty("id").GetString());
        Assert.Equal("Terminal / Process Spawner", terminal.GetProperty("name").GetString());
        Assert.True(terminal.GetProperty("isActivable").GetBoolean());
        Assert.Empty(terminal.GetProperty("activeTargets").EnumerateArray());
        Assert.Equal(0, list["totalActive"].GetInt32());

        var status = (await server.CallAsync("interceptor_status", new { interceptor_id = "terminal" })).AssertSuccess();
        Assert.Equal(["status", "id", "name", "description", "isActivable", "activeTargets"], status.Json.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Errors_use_the_spec_messages()
    {
        await using var server = await InMemoryServer.StartAsync();

        Assert.Equal("Interceptor 'nope' not found", (await server.CallAsync("interceptor_status", new { interceptor_id = "nope" })).AssertError());
        Assert.Equal("No spawned process with target ID 'proc_1'", (await server.CallAsync("interceptor_kill", new { target_id = "proc_1" })).AssertError());
        Assert.Equal("Proxy is not running. Start it first with proxy_start.",
            (await server.CallAsync("interceptor_spawn", new { command = "true" })).AssertError());
    }

    [Fact]
    public async Task Spawn_rejects_what_cannot_start_instead_of_reporting_success()
    {
        await using var server = await InMemoryServer.StartAsync();
        (await server.CallAsync("proxy_start")).AssertSuccess();

        Assert.Equal("Failed to start 'no-such-program-4711': command not found on PATH",
            (await server.CallAsync("interceptor_spawn", new { command = "no-such-program-4711" })).AssertError());
        Assert.Equal("Working directory '/no/such/dir' does not exist or is not a directory",
            (await server.CallAsync("interceptor_spawn", new { command = "true", cwd = "/no/such/dir" })).AssertError());
        Assert.Equal("env name 'A=B' must not contain '=' or NUL",
            (await server.CallAsync("interceptor_spawn", new { command = "true", env = new Dictionary<string, string> { ["A=B"] = "c" } })).AssertError());
        Assert.Equal("command must not be empty", (await server.CallAsync("interceptor_spawn", new { command = " " })).AssertError());
        Assert.Equal(0, (await server.CallAsync("interceptor_list")).AssertSuccess()["totalActive"].GetInt32());
    }

    [Fact]
    public async Task A_spawned_curl_reaches_an_https_origin_through_the_proxy_and_is_captured()
    {
        if (!Has("curl")) return;
        await using var origin = await TinyOrigin.StartAsync(https: true);
        await using var server = await InMemoryServer.StartAsync(settings => settings with { ExtraTrustedRoots = [origin.Certificate!] });
        var port = (await server.CallAsync("proxy_start")).AssertSuccess()["port"].GetInt32();

        var spawn = (await server.CallAsync("interceptor_spawn", new
        {
            command = "curl",
            args = new[] { "-sS", new Uri(origin.BaseUrl, "/through-proxy").ToString() },
            env = new Dictionary<string, string> { ["MARKER"] = "1" },
        })).AssertSuccess();

        Assert.Equal(["status", "targetId", "details"], spawn.Json.EnumerateObject().Select(p => p.Name));
        var details = spawn["details"];
        Assert.Equal("proc_" + details.GetProperty("pid").GetInt32(), spawn["targetId"].GetString());
        Assert.Equal(["pid", "command", "args", "cwd", "proxyUrl", "certPath", "caBundlePath"], details.EnumerateObject().Select(p => p.Name));
        Assert.Equal($"http://127.0.0.1:{port}", details.GetProperty("proxyUrl").GetString());
        var targetId = spawn["targetId"].GetString()!;

        var exited = await WaitUntilExitedAsync(server, targetId);
        var exitedDetails = exited.GetProperty("details");
        if (exitedDetails.GetProperty("exitCode").GetInt32() != 0)
        {
            // Say what the proxy saw of the failed request, not only curl's side.
            var seen = (await server.CallAsync("proxy_list_traffic", new { url_filter = "/through-proxy" })).Json.ToString();
            Assert.Fail(exitedDetails + "\nproxy traffic: " + seen);
        }
        Assert.Equal("GET /through-proxy ", exitedDetails.GetProperty("stdoutTail").GetString());
        Assert.Equal("curl -sS " + new Uri(origin.BaseUrl, "/through-proxy"), exited.GetProperty("description").GetString());

        var traffic = (await server.CallAsync("proxy_list_traffic", new { url_filter = "/through-proxy" })).AssertSuccess();
        Assert.Equal(1, traffic["total"].GetInt32());
        // Tied to the spawned process when the connection was accepted, even though curl has long exited.
        var exchangeId = traffic["exchanges"][0].GetProperty("id").GetString();
        var exchange = (await server.CallAsync("proxy_get_exchange", new { exchange_id = exchangeId })).AssertSuccess()["exchange"];
        Assert.Equal(targetId, exchange.GetProperty("clientTarget").GetString());

        var kill = (await server.CallAsync("interceptor_kill", new { target_id = targetId })).AssertSuccess();
        Assert.Equal($"Process {targetId} had already exited with code 0.", kill["message"].GetString());
        Assert.Equal("GET /through-proxy ", kill["output"].GetProperty("stdout").GetString());
        Assert.Equal(0, kill["output"].GetProperty("exitCode").GetInt32());
        Assert.False(kill["wasRunning"].GetBoolean());
    }

    [Fact]
    public async Task Kill_stops_a_running_process_and_reports_its_exit_code()
    {
        await using var server = await InMemoryServer.StartAsync();
        (await server.CallAsync("proxy_start")).AssertSuccess();
        var targetId = (await server.CallAsync("interceptor_spawn", new { command = "sleep", args = new[] { "30" } })).AssertSuccess()["targetId"].GetString();

        var kill = (await server.CallAsync("interceptor_kill", new { target_id = targetId })).AssertSuccess();

        Assert.Equal(["status", "message", "output", "wasRunning"], kill.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal($"Process {targetId} killed.", kill["message"].GetString());
        Assert.Equal(["stdout", "stderr", "exitCode", "exitCodeAfterKill", "exitedAt"], kill["output"].EnumerateObject().Select(p => p.Name));
        // As proxy-mcp: the code before the kill, null while the process ran; the code it then ended with comes beside it.
        Assert.Equal(JsonValueKind.Null, kill["output"].GetProperty("exitCode").ValueKind);
        Assert.Equal(143, kill["output"].GetProperty("exitCodeAfterKill").GetInt32());
        Assert.True(kill["wasRunning"].GetBoolean());
        Assert.Equal(0, (await server.CallAsync("interceptor_list")).AssertSuccess()["totalActive"].GetInt32());
    }

    [Fact]
    public async Task Proxy_stop_kills_spawned_processes_and_deletes_their_ca_files()
    {
        await using var server = await InMemoryServer.StartAsync();
        (await server.CallAsync("proxy_start")).AssertSuccess();
        var spawn = (await server.CallAsync("interceptor_spawn", new { command = "sleep", args = new[] { "30" } })).AssertSuccess();
        var pid = spawn["details"].GetProperty("pid").GetInt32();
        var bundle = spawn["details"].GetProperty("caBundlePath").GetString()!;
        Assert.True(File.Exists(bundle));
        Assert.StartsWith(server.DataDirectory, bundle);

        (await server.CallAsync("proxy_stop")).AssertSuccess();

        Assert.Equal(0, (await server.CallAsync("interceptor_list")).AssertSuccess()["totalActive"].GetInt32());
        Assert.False(File.Exists(bundle));
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
    }

    [Fact]
    public async Task Deactivate_all_kills_every_spawned_process()
    {
        await using var server = await InMemoryServer.StartAsync();
        (await server.CallAsync("proxy_start")).AssertSuccess();
        (await server.CallAsync("interceptor_spawn", new { command = "sleep", args = new[] { "30" } })).AssertSuccess();
        (await server.CallAsync("interceptor_spawn", new { command = "sleep", args = new[] { "31" } })).AssertSuccess();
        Assert.Equal(2, (await server.CallAsync("interceptor_list")).AssertSuccess()["totalActive"].GetInt32());

        var result = (await server.CallAsync("interceptor_deactivate_all")).AssertSuccess();

        Assert.Equal("All interceptors deactivated.", result["message"].GetString());
        Assert.Equal(0, (await server.CallAsync("interceptor_list")).AssertSuccess()["totalActive"].GetInt32());
    }

    [Fact]
    public async Task The_interceptors_resource_is_the_list_as_an_indented_array()
    {
        await using var server = await InMemoryServer.StartAsync();
        (await server.CallAsync("proxy_start")).AssertSuccess();
        var targetId = (await server.CallAsync("interceptor_spawn", new { command = "sleep", args = new[] { "30" } })).AssertSuccess()["targetId"].GetString();

        var read = await server.Client.ReadResourceAsync("proxy://interceptors", cancellationToken: TestTimeout.Token());

        var contents = Assert.IsType<TextResourceContents>(Assert.Single(read.Contents));
        Assert.Equal("proxy://interceptors", contents.Uri);
        Assert.Contains("\n  {", contents.Text);
        using var document = JsonDocument.Parse(contents.Text);
        var terminal = document.RootElement.EnumerateArray().First();
        Assert.Equal("terminal", terminal.GetProperty("id").GetString());
        Assert.Equal(targetId, Assert.Single(terminal.GetProperty("activeTargets").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Tools_take_the_spec_parameter_names()
    {
        await using var server = await InMemoryServer.StartAsync();
        var tools = await server.Client.ListToolsAsync(cancellationToken: TestTimeout.Token());

        string[] Parameters(string tool) =>
            [.. tools.Single(t => t.Name == tool).JsonSchema.GetProperty("properties").EnumerateObject().Select(p => p.Name)];
        Assert.Empty(Parameters("interceptor_list"));
        Assert.Equal(["interceptor_id"], Parameters("interceptor_status"));
        Assert.Empty(Parameters("interceptor_deactivate_all"));
        Assert.Equal(["command", "args", "cwd", "env"], Parameters("interceptor_spawn"));
        Assert.Equal(["target_id"], Parameters("interceptor_kill"));
        var required = tools.Single(t => t.Name == "interceptor_spawn").JsonSchema.GetProperty("required");
        Assert.Equal(["command"], required.EnumerateArray().Select(v => v.GetString()));
    }
}
