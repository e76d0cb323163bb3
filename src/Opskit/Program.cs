using System.CommandLine;
using Opskit;

// First, so that a SIGTERM that arrives while a service starts is a stop request, not the end of the process.
// System.CommandLine's default grace is 2 s, too short for a final flush to a slow backend.
using var signals = new StopSignals(TimeSpan.FromSeconds(30));
var verbose = new Option<bool>("--verbose")
{
    Description = "On failure, print the stack trace as well as the one-line reason (also OPSKIT_DEBUG=1).",
    Recursive = true,
};
var root = new RootCommand("Opskit: production operations tools behind one command.") { verbose };
foreach (var tool in ToolRegistry.All)
{
    root.Subcommands.Add(tool.CreateCommand());
}

root.Subcommands.Add(UpCommand.Create(ToolRegistry.All));

// SIGTERM and Ctrl-C cancel the running action's token (StopSignals); services then flush what they hold.
// Exceptions are ours to report: one line naming the cause, not System.CommandLine's "Unhandled exception" and stack.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0 && parsed.Action is System.CommandLine.Invocation.ParseErrorAction)
{
    // One line: the errors and where to read more; exit code 2 (usage), or the tool's own (Nagios checks: 3).
    var messages = string.Join("; ", parsed.Errors.Select(e => e.Message.TrimEnd('.')));
    Console.Error.WriteLine($"{CommandPath(parsed)}: {messages} (see '{CommandPath(parsed)} --help')");
    return UsageExitCode(parsed);
}

try
{
    return await signals.RunAsync(stop => parsed.InvokeAsync(invocation, stop));
}
catch (Exception ex) when (ex is not OperationCanceledException)
{
    return CommandFailure.Report(Console.Error, CommandPath(parsed), ex, CommandFailure.Verbose(args));
}

static int UsageExitCode(ParseResult parsed)
{
    for (var result = parsed.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
    {
        if (ToolRegistry.All.FirstOrDefault(t => t.Name == result.Command.Name && result.Parent is System.CommandLine.Parsing.CommandResult { Command: RootCommand }) is { } tool)
        {
            return tool.UsageExitCode;
        }
    }

    return 2;
}

static string CommandPath(ParseResult parsed)
{
    var names = new List<string>();
    for (var result = parsed.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
    {
        names.Add(result.Command is RootCommand ? "opskit" : result.Command.Name);
    }

    names.Reverse();
    return string.Join(' ', names);
}
