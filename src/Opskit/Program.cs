using System.CommandLine;
using Opskit;

// First, so that a SIGTERM that arrives while a service starts is a stop request, not the end of the process.
// System.CommandLine's default grace is 2 s, too short for a final flush to a slow backend.
using var signals = new StopSignals(TimeSpan.FromSeconds(30));
var root = new RootCommand("Opskit: production operations tools behind one command.");
foreach (var tool in ToolRegistry.All)
{
    root.Subcommands.Add(tool.CreateCommand());
}

root.Subcommands.Add(UpCommand.Create(ToolRegistry.All));

// SIGTERM and Ctrl-C cancel the running action's token (StopSignals); services then flush what they hold.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
var parsed = root.Parse(args);
return await signals.RunAsync(stop => parsed.InvokeAsync(invocation, stop));
