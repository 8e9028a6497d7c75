using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ProxyMcp.Tests.Support;

namespace ProxyMcp.Tests.EndToEnd;

/// <summary>The built program over real stdio.</summary>
public sealed class StdioProgramTests
{
    // The SDK client probes server/discover and, after 5 s without an answer, falls back to initialize; on a loaded CI
    // machine a cold Debug start can take longer, and the late discover answer then made the server refuse the
    // initialize (seen once in CI). A generous probe lets the slow start finish instead.
    private static McpClientOptions ClientOptions => new() { DiscoverProbeTimeout = TimeSpan.FromSeconds(60) };

    private static async Task DriveLifecycleAsync(McpClient client)
    {
        var start = ToolCall.From(await client.CallToolAsync("proxy_start", cancellationToken: TestTimeout.Token())).AssertSuccess();
        var port = start["port"].GetInt32();
        var status = ToolCall.From(await client.CallToolAsync("proxy_status", cancellationToken: TestTimeout.Token())).AssertSuccess();
        Assert.True(status["running"].GetBoolean());
        Assert.Equal(port, status["port"].GetInt32());
        ToolCall.From(await client.CallToolAsync("proxy_stop", cancellationToken: TestTimeout.Token())).AssertSuccess();
        var stopped = ToolCall.From(await client.CallToolAsync("proxy_status", cancellationToken: TestTimeout.Token())).AssertSuccess();
        Assert.False(stopped["running"].GetBoolean());
    }

    [Fact]
    public async Task Sdk_stdio_client_drives_start_status_stop()
    {
        using var data = new TempDirectory();
        var stderr = new List<string>();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "proxy-mcp",
            Command = "dotnet",
            Arguments = [BuiltProgram.DllPath, "--data-dir", data.Path],
            StandardErrorLines = line => { lock (stderr) stderr.Add(line); },
        }, NullLoggerFactory.Instance);

        await using (var client = await McpClient.CreateAsync(transport, ClientOptions, NullLoggerFactory.Instance, TestTimeout.Token()))
        {
            Assert.Equal("proxy", client.ServerInfo?.Name);
            await DriveLifecycleAsync(client);
        }

        Assert.True(File.Exists(Path.Combine(data.Path, "ca.pem")), "the CA is persisted in --data-dir");
    }

    [Fact]
    public async Task Stdout_carries_nothing_but_json_rpc_and_stdin_eof_ends_the_process_cleanly()
    {
        using var data = new TempDirectory();
        using var process = Process.Start(BuiltProgram.StartInfo(["--data-dir", data.Path]))!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = new RecordingStream(process.StandardOutput.BaseStream);

        await using (var client = await McpClient.CreateAsync(
            new StreamClientTransport(process.StandardInput.BaseStream, stdout, NullLoggerFactory.Instance),
            ClientOptions, NullLoggerFactory.Instance, TestTimeout.Token()))
        {
            await DriveLifecycleAsync(client);
            // Leave the proxy running: the process must stop it on its own when stdin closes.
            ToolCall.From(await client.CallToolAsync("proxy_start", cancellationToken: TestTimeout.Token())).AssertSuccess();
        }
        process.StandardInput.Close();
        await process.WaitForExitAsync(TestTimeout.Token());

        Assert.Equal(0, process.ExitCode);
        var lines = Encoding.UTF8.GetString(stdout.Recorded()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var message = JsonDocument.Parse(line);
            Assert.Equal("2.0", message.RootElement.GetProperty("jsonrpc").GetString());
        }
        Assert.Contains("Proxy listening", await stderr);
    }

    [Fact]
    public async Task Requests_piped_in_before_stdin_closes_are_all_answered_before_the_process_exits()
    {
        using var data = new TempDirectory();
        using var process = Process.Start(BuiltProgram.StartInfo(["--data-dir", data.Path]))!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        // What `printf '…' | proxy-mcp` sends: the whole conversation at once, the last line unterminated, then end of input.
        await process.StandardInput.WriteAsync(string.Join('\n',
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"printf","version":"1"}}}""",
            """{"jsonrpc":"2.0","method":"notifications/initialized"}""",
            """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""",
            """{"jsonrpc":"2.0","id":"start","method":"tools/call","params":{"name":"proxy_start","arguments":{}}}""",
            """{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"proxy://ca-cert"}}"""));
        process.StandardInput.Close();
        await process.WaitForExitAsync(TestTimeout.Token());

        Assert.Equal(0, process.ExitCode);
        var answers = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToDictionary(message => message.GetProperty("id").ToString());
        Assert.Equal(["1", "2", "4", "start"], answers.Keys.Order(StringComparer.Ordinal));
        Assert.True(answers["2"].GetProperty("result").GetProperty("tools").GetArrayLength() > 50);
        var start = JsonDocument.Parse(answers["start"].GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString()!).RootElement;
        Assert.Equal("success", start.GetProperty("status").GetString());
        Assert.Contains("BEGIN CERTIFICATE", answers["4"].GetProperty("result").GetProperty("contents")[0].GetProperty("text").GetString());
        Assert.Contains("Proxy stopped", await stderr);
    }

    [Fact]
    public async Task Unknown_transport_fails_with_a_message_on_stderr_and_exit_code_1()
    {
        var (exitCode, stdout, stderr) = await BuiltProgram.RunAsync([], new Dictionary<string, string?> { ["TRANSPORT"] = "carrier-pigeon" });

        Assert.Equal(1, exitCode);
        Assert.Empty(stdout);
        Assert.Contains("unknown transport 'carrier-pigeon'", stderr);
    }

    [Fact]
    public async Task Help_documents_every_flag_with_its_environment_variable()
    {
        var (exitCode, stdout, _) = await BuiltProgram.RunAsync(["--help"]);

        Assert.Equal(0, exitCode);
        foreach (var flag in new[] { "--transport", "--port", "--host", "--auth-token", "--data-dir", "--listen-address",
                     "--upstream-insecure", "--upstream-ca", "--max-exchanges", "--proxy-port", "--proxy-only" })
        {
            Assert.Contains(flag, stdout);
        }
        Assert.Contains("TRANSPORT", stdout);
        Assert.Contains("PROXY_MCP_AUTH_TOKEN", stdout);
        Assert.Contains("PROXY_MCP_DATA_DIR", stdout);
    }

    [Fact]
    public async Task Proxy_only_serves_the_proxy_and_stops_cleanly_on_sigterm()
    {
        using var data = new TempDirectory();
        await using var origin = await TinyOrigin.StartAsync();
        using var process = Process.Start(BuiltProgram.StartInfo(["--proxy-only", "--proxy-port", "0", "--data-dir", data.Path]))!;
        var stdout = process.StandardOutput.ReadToEndAsync();

        string? proxyUrl = null;
        var stderr = new StringBuilder();
        while (proxyUrl is null && await process.StandardError.ReadLineAsync(TestTimeout.Token()) is { } line)
        {
            stderr.AppendLine(line);
            if (line.StartsWith("proxy listening on ", StringComparison.Ordinal)) proxyUrl = line["proxy listening on ".Length..];
        }
        Assert.True(proxyUrl is not null, stderr.ToString());
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", proxyUrl);
        // Log lines are written by a background logger and may interleave; look for the CA line itself.
        string? caLine = null;
        while (caLine is null && await process.StandardError.ReadLineAsync(TestTimeout.Token()) is { } next)
        {
            if (next.StartsWith("CA certificate: ", StringComparison.Ordinal)) caLine = next;
        }
        Assert.Contains(Path.Combine(data.Path, "ca.pem"), caLine);

        using (var client = new HttpClient(new SocketsHttpHandler { Proxy = new System.Net.WebProxy(proxyUrl), UseProxy = true }))
        {
            Assert.Equal("GET /via-proxy ", await client.GetStringAsync(new Uri(origin.BaseUrl, "/via-proxy"), TestTimeout.Token()));
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestTimeout.Token());
        }
        var remaining = await process.StandardError.ReadToEndAsync(TestTimeout.Token());
        await process.WaitForExitAsync(TestTimeout.Token());

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("proxy stopped", remaining);
        Assert.Empty(await stdout);
    }
}
