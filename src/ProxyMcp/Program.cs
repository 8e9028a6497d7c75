using System.CommandLine;
using System.CommandLine.Invocation;
using ProxyMcp.Cli;

// A proxy is socket-bound: running socket continuations on the event threads (read before the first socket exists)
// saves a thread-pool hop and a context switch per read, about a tenth of the CPU per proxied request. Blocking work is
// kept off those threads (the proxy hands captures and certificate minting to other threads). An explicit setting wins.
const string inlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
if (Environment.GetEnvironmentVariable(inlineCompletions) is null) Environment.SetEnvironmentVariable(inlineCompletions, "1");

var parse = ProxyMcpCommand.Create(Launcher.RunAsync).Parse(args);
// On a usage error, print the error alone on stderr: help text on stdout would corrupt a stdio MCP stream.
if (parse.Action is ParseErrorAction error) error.ShowHelp = false;
// Signals are left to the hosts (Generic Host lifetime, or our own in --proxy-only) so shutdown is clean.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
