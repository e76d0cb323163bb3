using System.CommandLine;
using Opskit;

var root = new RootCommand("Opskit: production operations tools behind one command.");
foreach (var tool in ToolRegistry.All)
{
    root.Subcommands.Add(tool.CreateCommand());
}

root.Subcommands.Add(UpCommand.Create(ToolRegistry.All));

// SIGTERM and Ctrl-C cancel the running action's token; services then flush what they hold.
// System.CommandLine's default grace is 2 s, too short for a final flush to a slow backend.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
return await root.Parse(args).InvokeAsync(invocation);
