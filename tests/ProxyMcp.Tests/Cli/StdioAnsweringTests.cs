using System.IO.Pipelines;
using System.Text;
using ProxyMcp.Cli.Stdio;

namespace ProxyMcp.Tests.Cli;

/// <summary>The bookkeeping that lets the stdio server answer what it read before it exits at end of input.</summary>
public sealed class StdioAnsweringTests
{
    private static ReadOnlySpan<byte> Line(string json) => Encoding.UTF8.GetBytes(json);

    [Fact]
    public void Envelopes_tell_requests_answers_and_cancellations_apart()
    {
        Assert.Equal(new JsonRpcEnvelope("n:1", "tools/list", false, null), JsonRpcEnvelope.Parse(Line("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""")));
        // Members in any order; an "id" inside params is not the message id; 1 and "1" are different ids.
        Assert.Equal(new JsonRpcEnvelope("s:1", "tools/call", false, null),
            JsonRpcEnvelope.Parse(Line("""{"method":"tools/call","params":{"name":"x","arguments":{"id":9}},"id":"1","jsonrpc":"2.0"}""")));
        Assert.True(JsonRpcEnvelope.Parse(Line("""{"result":{"tools":[{"name":"id","id":3}]},"id":1,"jsonrpc":"2.0"}""")) is { IsAnswer: true, Id: "n:1" });
        Assert.True(JsonRpcEnvelope.Parse(Line("""{"jsonrpc":"2.0","error":{"code":-32602,"message":"bad"},"id":"1"}""")) is { IsAnswer: true, Id: "s:1" });
        // A server request (roots/list) and a notification answer nothing.
        Assert.False(JsonRpcEnvelope.Parse(Line("""{"jsonrpc":"2.0","id":5,"method":"roots/list"}""")).IsAnswer);
        Assert.Equal(default, JsonRpcEnvelope.Parse(Line("""{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1}}""")) with { Method = null });
        Assert.Equal("n:3", JsonRpcEnvelope.Parse(Line("""{"jsonrpc":"2.0","params":{"reason":"user","requestId":3},"method":"notifications/cancelled"}""")).CancelledId);
        Assert.Equal(default, JsonRpcEnvelope.Parse(Line("not json at all")));
        Assert.Equal(default, JsonRpcEnvelope.Parse(Line("""{"jsonrpc":"2.0","id":1""")));
        Assert.False(JsonRpcEnvelope.Parse(Line("""{"jsonrpc":"2.0","id":{"odd":1},"method":"ping"}""")).IsRequest);
    }

    [Fact]
    public void Requests_open_and_their_answers_or_cancellations_close_them()
    {
        var requests = new OpenRequests();
        requests.Read(Line("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}"""));
        requests.Read(Line("""{"jsonrpc":"2.0","id":"1","method":"tools/call","params":{"name":"x"}}"""));
        requests.Read(Line("""{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"slow"}}"""));
        requests.Read(Line("""{"jsonrpc":"2.0","method":"notifications/initialized"}"""));
        requests.Read(Line("""{"jsonrpc":"2.0","id":77,"result":{}}""")); // the client answering a server request
        requests.Read(Line("not json at all"));
        Assert.Equal(3, requests.Count);

        requests.Answered("n:1");
        requests.Answered("n:99"); // never opened
        Assert.Equal(2, requests.Count);
        var none = requests.WhenNoneOpenAsync();
        requests.Answered("s:1");
        Assert.False(none.IsCompleted);
        // After notifications/cancelled the SDK sends no response: the cancellation itself closes the request.
        requests.Read(Line("""{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}}"""));
        Assert.True(none.IsCompletedSuccessfully);
        Assert.Equal(0, requests.Count);
        Assert.True(requests.WhenNoneOpenAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public void Lines_are_found_across_chunks_and_the_last_one_needs_no_newline()
    {
        var lines = new List<string>();
        var tap = new LineTap(line => lines.Add(Encoding.UTF8.GetString(line)));
        tap.Feed("ab"u8);
        tap.Feed("c\nde\n\nf"u8);
        tap.Feed(new byte[2_000_000]);
        tap.Feed("\ng"u8);
        Assert.True(tap.HasPartialLine);
        tap.Finish();
        Assert.Equal(["abc", "de", "", "f" + new string('\0', 2_000_000), "g"], lines);
    }

    [Fact]
    public async Task End_of_input_waits_until_every_request_read_is_answered()
    {
        var requests = new OpenRequests();
        var input = new Pipe();
        using var stdin = new AnsweringStdin(input.Reader.AsStream(), requests, TimeSpan.FromMinutes(1));
        var output = new MemoryStream();
        using var stdout = new AnsweringStdout(new BufferedStream(output), requests);
        using var reader = new StreamReader(stdin);

        // The last request has no newline, as with printf: it must still reach the reader before end of input.
        await input.Writer.WriteAsync(Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"method":"ping"}""" + "\n" + """{"jsonrpc":"2.0","id":2,"method":"ping"}"""));
        await input.Writer.CompleteAsync();
        Assert.Equal("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", await reader.ReadLineAsync());
        Assert.Equal("""{"jsonrpc":"2.0","id":2,"method":"ping"}""", await reader.ReadLineAsync());

        var end = reader.ReadLineAsync();
        await Task.Delay(200);
        Assert.False(end.IsCompleted, "end of input is held back while requests 1 and 2 are open");
        await stdout.WriteAsync(Encoding.UTF8.GetBytes("""{"result":{},"id":2,"jsonrpc":"2.0"}"""));
        await stdout.WriteAsync("\n"u8.ToArray());
        await stdout.FlushAsync();
        await stdout.WriteAsync(Encoding.UTF8.GetBytes("""{"result":{},"id":1,"jsonrpc":"2.0"}""" + "\n"));
        await Task.Delay(200);
        Assert.False(end.IsCompleted, "an answer counts once it is flushed, not while it may sit in a buffer");
        await stdout.FlushAsync();
        Assert.Null(await end.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)output.Length).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task A_request_that_never_finishes_is_abandoned_after_the_wait_limit()
    {
        var requests = new OpenRequests();
        using var stdin = new AnsweringStdin(new MemoryStream(Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"method":"ping"}""" + "\n")),
            requests, TimeSpan.FromMilliseconds(300));
        using var reader = new StreamReader(stdin);
        Assert.NotNull(await reader.ReadLineAsync());
        Assert.Null(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, requests.Count);
    }
}
