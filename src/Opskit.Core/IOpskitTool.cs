using System.CommandLine;

namespace Opskit.Core;

/// <summary>
/// A tool reachable as <c>opskit &lt;name&gt;</c>. Each tool library exposes one implementation,
/// and <c>src/Opskit</c> lists them in one place, so adding a tool touches one line there.
/// </summary>
public interface IOpskitTool
{
    /// <summary>The subcommand name, e.g. <c>statsd</c>.</summary>
    string Name { get; }

    /// <summary>One line for <c>opskit --help</c>.</summary>
    string Description { get; }

    /// <summary>Builds the subcommand with its options and actions.</summary>
    Command CreateCommand();

    /// <summary>
    /// The exit code of a command line this tool cannot parse (an unknown option, a missing argument): 2, as most
    /// command-line programs use; a tool that doubles as a Nagios check returns 3 (UNKNOWN) instead.
    /// </summary>
    int UsageExitCode => 2;
}
