using System.CommandLine;
using Opskit.Core;
using Opskit.ExecLog.Integration;
using Opskit.ExecLog.Records;
using Opskit.ExecLog.Running;

namespace Opskit.ExecLog;

/// <summary>
/// <c>opskit execlog [options] -- COMMAND [ARGS…]</c>: runs a command exactly as given, passes its
/// streams, signals and exit code through, and writes one audit record of the run to the journal, syslog,
/// a JSON-lines file or standard error. <c>nrpe-config</c> and <c>bash-snippet</c> help wire it in.
/// </summary>
public sealed class ExecLogTool : IOpskitTool
{
    /// <inheritdoc />
    public string Name => "execlog";

    /// <inheritdoc />
    /// <remarks>125, the wrapper's own failure, as env and timeout use: a wrapped plugin's codes stay its own.</remarks>
    public int UsageExitCode => Running.CommandRunner.WrapperFailureExitCode;

    /// <inheritdoc />
    public string Description => "Run a command unchanged and record who ran it and what came of it (syslog, journal, JSON lines).";

    /// <inheritdoc />
    public Command CreateCommand()
    {
        var options = new ExecLogOptions();
        var command = new Command(Name, Description + " Usage: opskit execlog [options] -- COMMAND [ARGS...]");
        options.AddTo(command);
        // Synchronous on purpose: the host's stop handling (30 s grace, then exit) only applies to an
        // action that returns a pending task; the wrapper must outlive its child however long that takes.
        command.SetAction(parse => RunWrapped(options.Read(parse)));
        command.Subcommands.Add(CreateNrpeConfig());
        command.Subcommands.Add(CreateBashSnippet());
        return command;
    }

    private int RunWrapped(ExecLogSettings? settings)
    {
        if (settings is null)
        {
            return CommandRunner.WrapperFailureExitCode;
        }

        var managed = Environment.GetCommandLineArgs();
        var argv = RawArguments.CommandAfterSeparator(managed.AsSpan(1).ToArray(), RawArguments.ReadOwnCmdline(), Name);
        if (argv is null || argv.Length == 0)
        {
            Error("no command; usage: opskit execlog [options] -- COMMAND [ARGS...]");
            return CommandRunner.WrapperFailureExitCode;
        }

        if (settings.Positional.Count > argv.Length)
        {
            // The parser files an unknown option or a stray word before "--" with the command's arguments.
            var stray = string.Join(' ', settings.Positional.Take(settings.Positional.Count - argv.Length));
            Error($"unknown option or argument before --: {stray}");
            return CommandRunner.WrapperFailureExitCode;
        }

        var outcome = CommandRunner.Run(argv, settings.Run);
        if (outcome.SpawnErrno != 0)
        {
            Error($"{ShellQuote.Word(argv[0])}: {(outcome.SpawnErrno == Native.ENOENT ? "command not found" : Native.Describe(outcome.SpawnErrno))}");
        }

        var context = RunContext.Current();
        var path = outcome.SpawnErrno == 0 ? CommandPath.Resolve(argv[0]) : null;
        var failures = settings.Sinks.Deliver(dropped => new ExecRecord(argv, path, context, outcome, settings.Tags, dropped));
        if (settings.Verbose)
        {
            foreach (var failure in failures)
            {
                Error("destination failed: " + failure);
            }
        }

        return outcome.WrapperExitCode;
    }

    private static Command CreateNrpeConfig()
    {
        var plugins = new Option<string>("--plugins") { Description = "Directory of Nagios plugins (e.g. /usr/lib/nagios/plugins).", Required = true };
        var opskit = new Option<string>("--opskit") { Description = "How NRPE runs opskit.", DefaultValueFactory = _ => "/usr/local/bin/opskit" };
        var withArgs = new Option<bool>("--with-args") { Description = "Append $ARG1$ to every command (needs dont_blame_nrpe=1)." };
        var log = new Option<string?>("--log") { Description = "Add --log FILE to every command." };
        var command = new Command("nrpe-config", "Print an nrpe.cfg fragment that runs every plugin in a directory through opskit execlog.")
        {
            plugins, opskit, withArgs, log,
        };
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(plugins)!;
            if (!Directory.Exists(directory))
            {
                Error($"nrpe-config: no such directory: {directory}");
                return 2;
            }

            var extra = parse.GetValue(log) is { } file ? new[] { "--log", file } : [];
            try
            {
                Console.Out.Write(NrpeConfig.Render(directory, parse.GetValue(opskit)!, parse.GetValue(withArgs), extra));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Error($"nrpe-config: {directory}: {ex.Message}");
                return 2;
            }

            return 0;
        });
        return command;
    }

    private static Command CreateBashSnippet()
    {
        var priority = new Option<string>("--priority", "-p") { Description = "logger priority.", DefaultValueFactory = _ => "auth.info" };
        var tag = new Option<string>("--syslog-tag") { Description = "logger tag.", DefaultValueFactory = _ => "opskit-execlog" };
        var command = new Command("bash-snippet", "Print a safer version of the bash DEBUG-trap logger for .bashrc (the weaker option; see docs/execlog.md).")
        {
            priority, tag,
        };
        command.SetAction(parse =>
        {
            var p = parse.GetValue(priority)!;
            var t = parse.GetValue(tag)!;
            if (!SyslogPriority.TryParse(p, out _) || !ExecLogOptions.IsSafeTag(t))
            {
                Error("bash-snippet: --priority must be facility.level and --syslog-tag [A-Za-z0-9_.-]");
                return 2;
            }

            Console.Out.Write(BashSnippet.Render(p, t));
            return 0;
        });
        return command;
    }

    internal static void Error(string message) => Console.Error.WriteLine("opskit execlog: " + message);
}
