using System.Text;
using Opskit.ReplCheck.Output;
using Opskit.ReplCheck.Rules;
using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck;

/// <summary>One run: read the server (and the primary), evaluate the rules, write the report, return the exit code.</summary>
public static class ReplCheckRunner
{
    /// <summary>Runs the check and returns the Nagios exit code (0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN).</summary>
    public static async Task<int> RunAsync(ReplCheckOptions options, TextWriter output, bool colors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var report = await CheckAsync(options, cancellationToken).ConfigureAwait(false);
        if (options.PrintConfig && report.Server is { } server)
        {
            await output.WriteAsync(ConfigFragmentWriter.Format(server, options.Thresholds)).ConfigureAwait(false);
            return 0;
        }

        await output.WriteAsync(Render(report, options, colors)).ConfigureAwait(false);
        return (int)report.Overall;
    }

    /// <summary>Reads the servers and evaluates every rule; an unreadable server gives a report with its error.</summary>
    public static async Task<ReplCheckReport> CheckAsync(ReplCheckOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = options.Connection.Endpoint;

        // The primary is read at the same time as the replica: a slow one costs one timeout, not two.
        var replicaTask = ServerReader.ReadAsync(options.Connection, replicaDetails: true, cancellationToken);
        var primaryTask = options.Primary is null ? null : ServerReader.ReadAsync(options.Primary, replicaDetails: false, cancellationToken);
        ServerSnapshot replica;
        try
        {
            replica = await replicaTask.ConfigureAwait(false);
        }
        catch (ServerUnavailableException ex)
        {
            if (primaryTask is not null)
            {
                try
                {
                    await primaryTask.ConfigureAwait(false);
                }
                catch (ServerUnavailableException)
                {
                    // The replica's error is the one reported; the primary's is moot without a replica to compare.
                }
            }

            return new ReplCheckReport(endpoint, null, [], ex.Message);
        }

        ServerSnapshot? primary = null;
        string? primaryError = null;
        if (primaryTask is not null)
        {
            try
            {
                primary = await primaryTask.ConfigureAwait(false);
            }
            catch (ServerUnavailableException ex)
            {
                primaryError = $"primary {ex.Message}";
            }
        }

        var results = RuleSet.Evaluate(new RuleContext(replica, primary, primaryError, options.Thresholds));
        return new ReplCheckReport(endpoint, replica, results, null);
    }

    /// <summary>The report in the chosen format.</summary>
    public static string Render(ReplCheckReport report, ReplCheckOptions options, bool colors)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(options);
        switch (options.Format)
        {
            case ReportFormat.Json:
                using (var stream = new MemoryStream())
                {
                    JsonReportWriter.Write(report, stream);
                    return Encoding.UTF8.GetString(stream.ToArray());
                }

            case ReportFormat.Nagios:
                return NagiosReportWriter.Format(report, options.Thresholds);
            default:
                return TableReportWriter.Format(report, colors);
        }
    }
}
