using System.CommandLine;
using Opskit;

var root = new RootCommand("Opskit: production operations tools behind one command.");
foreach (var tool in ToolRegistry.All)
{
    root.Subcommands.Add(tool.CreateCommand());
}

root.Subcommands.Add(UpCommand.Create(ToolRegistry.All));

return await root.Parse(args).InvokeAsync();
