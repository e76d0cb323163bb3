using Npgsql;
using Opskit.PgTop.Collection;

namespace Opskit.PgTop.Actions;

/// <summary>
/// <c>pg_cancel_backend</c> and <c>pg_terminate_backend</c> for one or more pids. A refusal (missing privilege,
/// a superuser's backend) or a backend already gone is a result with a message, never an exception.
/// </summary>
internal static class BackendSignaller
{
    public static async Task<IReadOnlyList<ActionResult>> SignalAsync(Collector collector, SignalKind kind, IReadOnlyCollection<int> pids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(collector);
        ArgumentNullException.ThrowIfNull(pids);
        var results = new List<ActionResult>(pids.Count);
        foreach (var pid in pids)
        {
            try
            {
                results.Add(await collector.UseConnectionAsync((c, ct) => SignalOneAsync(c, kind, pid, ct), cancellationToken).ConfigureAwait(false));
            }
            catch (CollectorException ex)
            {
                results.Add(new ActionResult(pid, false, ex.Message));
                break;
            }
        }

        return results;
    }

    private static async Task<ActionResult> SignalOneAsync(NpgsqlConnection connection, SignalKind kind, int pid, CancellationToken cancellationToken)
    {
        var verb = kind == SignalKind.Cancel ? "cancel" : "terminate";
        // Both functions are fixed text; only the pid is a parameter.
        var sql = kind == SignalKind.Cancel ? "SELECT pg_cancel_backend(@pid)" : "SELECT pg_terminate_backend(@pid)";
        using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<int>("pid", pid));
        try
        {
            var signalled = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
            return signalled
                ? new ActionResult(pid, true, $"{verb} sent to pid {pid}")
                : new ActionResult(pid, false, $"{verb} pid {pid}: no such backend (it may have ended)");
        }
        catch (PostgresException ex) when (ex.SqlState == "42501")
        {
            return new ActionResult(pid, false, $"{verb} pid {pid}: permission denied ({ex.MessageText})");
        }
        catch (PostgresException ex) when (!Collector.IsConnectionProblem(ex))
        {
            return new ActionResult(pid, false, $"{verb} pid {pid}: {ex.MessageText} ({ex.SqlState})");
        }
    }
}
