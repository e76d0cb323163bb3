using System.CommandLine;
using Opskit.Core;
using Opskit.PgTop.Output;
using Opskit.PgTop.Settings;
using Opskit.PgTop.Terminal;

namespace Opskit.PgTop;

/// <summary>
/// <c>opskit pgtop</c>: a live top for PostgreSQL (activity, header, lock tree, cancel/terminate, slow-query log and
/// webhook, EXPLAIN, pg_stat_statements, rewind) and a one-shot mode for scripts and monitoring (<c>--once</c>).
/// </summary>
public sealed class PgTopTool : IOpskitTool
{
    /// <inheritdoc />
    public string Name => "pgtop";

    /// <inheritdoc />
    /// <remarks>1, as for a connection error: with <c>--fail-on</c>, 2 means the condition holds, so a mistyped option
    /// must not look like it (docs/pgtop.md, exit codes).</remarks>
    public int UsageExitCode => 1;

    /// <inheritdoc />
    public string Description => "Live top for PostgreSQL: activity, lock tree, actions, slow-query log; --once for scripts (exit 0/2/1).";

    /// <inheritdoc />
    public Command CreateCommand()
    {
        var options = new PgTopCommandOptions();
        var command = new Command(Name, Description);
        options.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            PgTopOptions resolved;
            try
            {
                resolved = options.Resolve(parse, Environment.GetEnvironmentVariable);
            }
            catch (FormatException ex)
            {
                await Console.Error.WriteLineAsync($"opskit pgtop: {ex.Message}").ConfigureAwait(false);
                return OnceRunner.Failed;
            }

            if (resolved.Once)
            {
                return await OnceRunner.RunAsync(resolved, Console.Out, Console.Error, ct).ConfigureAwait(false);
            }

            if (Console.IsInputRedirected || Console.IsOutputRedirected)
            {
                await Console.Error.WriteLineAsync("opskit pgtop: the interactive screen needs a terminal; use --once --format json|ndjson|csv|table").ConfigureAwait(false);
                return OnceRunner.Failed;
            }

            return await PgTopApp.RunAsync(resolved, ct).ConfigureAwait(false);
        });
        return command;
    }
}
