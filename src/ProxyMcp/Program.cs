using System.CommandLine;
using System.CommandLine.Invocation;
using ProxyMcp.Cli;

var parse = ProxyMcpCommand.Create(Launcher.RunAsync).Parse(args);
// On a usage error, print the error alone on stderr: help text on stdout would corrupt a stdio MCP stream.
if (parse.Action is ParseErrorAction error) error.ShowHelp = false;
// Signals are left to the hosts (Generic Host lifetime, or our own in --proxy-only) so shutdown is clean.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
