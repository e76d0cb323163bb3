using System.Text.Json;
using Opskit.PgTop.Collection;
using Opskit.PgTop.Model;
using Opskit.PgTop.Settings;

namespace Opskit.PgTop.Output;

/// <summary>
/// <c>--once</c>: one snapshot of every server, printed in the chosen format. Exit code 0, 2 when a
/// <c>--fail-on</c> condition holds on any server, 1 when a server cannot be read (that wins over 2).
/// </summary>
internal static class OnceRunner
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int ConditionHolds = 2;

    public static async Task<int> RunAsync(PgTopOptions options, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var results = new List<(Snapshot Snapshot, List<Session> Sessions, Checks Checks)>();
        var failed = false;
        var collect = new CollectOptions(options.ShowIdle, options.DatabaseSizes);
        var tasks = options.Servers.Select(async target =>
        {
            var collector = new Collector(target, options.StatementTimeoutMs, options.LockTimeoutMs);
            await using (collector.ConfigureAwait(false))
            {
                var first = await collector.CollectAsync(collect, cancellationToken).ConfigureAwait(false);
                if (options.OnceIntervalSeconds <= 0)
                {
                    return first;
                }

                // Rates are deltas: a second sample on the same connection fills them.
                await Task.Delay(TimeSpan.FromSeconds(options.OnceIntervalSeconds), cancellationToken).ConfigureAwait(false);
                return await collector.CollectAsync(collect, cancellationToken).ConfigureAwait(false);
            }
        }).ToList();
        foreach (var task in tasks)
        {
            try
            {
                var snapshot = await task.ConfigureAwait(false);
                var sessions = SessionView.Select(snapshot, options.Filter, options.ShowIdle, options.SortColumn, options.SortDescending);
                results.Add((snapshot, sessions, Checks.Count(sessions, options.SlowThresholdSeconds, options.IdleInTransactionThresholdSeconds)));
            }
            catch (CollectorException ex)
            {
                failed = true;
                await stderr.WriteLineAsync($"opskit pgtop: {ex.Message}").ConfigureAwait(false);
            }
        }

        Write(options, stdout, results);
        await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (failed)
        {
            return Failed;
        }

        var failing = FailCondition.None;
        foreach (var result in results)
        {
            failing |= result.Checks.Failing(options.FailOn);
        }

        if (failing != FailCondition.None)
        {
            await stderr.WriteLineAsync($"opskit pgtop: condition holds: {failing}").ConfigureAwait(false);
            return ConditionHolds;
        }

        return Ok;
    }

    private static void Write(PgTopOptions options, TextWriter stdout, List<(Snapshot Snapshot, List<Session> Sessions, Checks Checks)> results)
    {
        switch (options.Format)
        {
            case OutputFormat.Json:
            case OutputFormat.Ndjson:
                // json: one document for one server, an array of them for several; ndjson: one line per server.
                var ndjson = options.Format == OutputFormat.Ndjson;
                var array = !ndjson && options.Servers.Count > 1;
                using (var buffer = new MemoryStream())
                {
                    using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = !ndjson }))
                    {
                        if (array)
                        {
                            json.WriteStartArray();
                        }

                        foreach (var (snapshot, sessions, checks) in results)
                        {
                            JsonSnapshotWriter.Write(json, snapshot, sessions, checks, options.SlowThresholdSeconds);
                            if (ndjson)
                            {
                                json.Flush();
                                buffer.WriteByte((byte)'\n');
                                json.Reset();
                            }
                        }

                        if (array)
                        {
                            json.WriteEndArray();
                        }
                    }

                    var text = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
                    if (ndjson)
                    {
                        stdout.Write(text);
                    }
                    else if (text.Length > 0)
                    {
                        stdout.WriteLine(text);
                    }
                }

                break;
            case OutputFormat.Csv:
                stdout.WriteLine(CsvSessionWriter.Header);
                foreach (var (snapshot, sessions, _) in results)
                {
                    CsvSessionWriter.WriteRows(stdout, snapshot.Server.Name, sessions, options.SlowThresholdSeconds);
                }

                break;
            default:
                foreach (var (snapshot, sessions, _) in results)
                {
                    TableSnapshotWriter.Write(stdout, snapshot, sessions, options.SlowThresholdSeconds);
                }

                break;
        }
    }
}
