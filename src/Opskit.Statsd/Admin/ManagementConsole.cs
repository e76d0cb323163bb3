using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Opskit.Statsd.Net;

namespace Opskit.Statsd.Admin;

/// <summary>
/// Etsy's management interface (<c>lib/mgmt_server.js</c> + the command switch in <c>stats.js</c>): one command
/// per line, replies byte for byte as Etsy writes them. Unlike Etsy it binds 127.0.0.1 unless
/// <c>mgmt_address</c> says otherwise, and frames commands by line instead of by TCP read.
/// </summary>
internal sealed partial class ManagementConsole : IAsyncDisposable
{
    private readonly IManagementTarget _target;
    private readonly ILogger _logger;
    private TcpAcceptLoop? _loop;

    private ManagementConsole(IManagementTarget target, ILogger logger)
    {
        _target = target;
        _logger = logger;
    }

    public IPEndPoint LocalEndPoint => _loop!.LocalEndPoint;

    public static ManagementConsole Start(string address, int port, IManagementTarget target, ILogger logger)
    {
        var ip = Input.UdpInput.ResolveAddress(address, ipv6: address.Contains(':', StringComparison.Ordinal));
        var console = new ManagementConsole(target, logger);
        console._loop = TcpAcceptLoop.Start(ip, port, 64, console.ServeAsync);
        return console;
    }

    private async Task ServeAsync(Socket client, CancellationToken stopping)
    {
        using (client)
        {
            var stream = new NetworkStream(client, ownsSocket: false);
            await using (stream.ConfigureAwait(false))
            {
                using var reader = new StreamReader(stream, Encoding.Latin1);
                try
                {
                    while (!stopping.IsCancellationRequested)
                    {
                        var line = await reader.ReadLineAsync(stopping).ConfigureAwait(false);
                        if (line is null)
                        {
                            return;
                        }

                        var parts = line.Trim().Split(' ');
                        var reply = await ExecuteAsync(parts[0], parts[1..], stopping).ConfigureAwait(false);
                        if (reply is null)
                        {
                            return; // quit
                        }

                        await stream.WriteAsync(Encoding.UTF8.GetBytes(reply), stopping).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
                {
                    LogClientError(_logger, ex.Message);
                }
            }
        }
    }

    /// <summary>Runs one command; returns the reply, or null for <c>quit</c>.</summary>
    internal async Task<string?> ExecuteAsync(string command, string[] parameters, CancellationToken cancellationToken)
    {
        switch (command)
        {
            case "help":
                return "Commands: stats, counters, timers, gauges, delcounters, deltimers, delgauges, health, config, quit\n\n";
            case "config":
                return _target.ConfigText();
            case "health":
                if (parameters.Length > 0)
                {
                    var action = parameters[0].ToLowerInvariant();
                    if (action is "up" or "down")
                    {
                        _target.HealthStatus = action;
                    }
                }

                return "health: " + _target.HealthStatus + "\n";
            case "stats":
                return _target.StatsText();
            case "counters":
                return JsInspect.Format(await _target.CountersAsync(cancellationToken).ConfigureAwait(false)) + "\nEND\n\n";
            case "timers":
                return JsInspect.Format(await _target.TimersAsync(cancellationToken).ConfigureAwait(false)) + "\nEND\n\n";
            case "gauges":
                return JsInspect.Format(await _target.GaugesAsync(cancellationToken).ConfigureAwait(false)) + "\nEND\n\n";
            case "sets":
                return JsInspect.Format(await _target.SetsAsync(cancellationToken).ConfigureAwait(false)) + "\nEND\n\n";
            case "delcounters":
                return await DeleteAsync(Aggregation.MetricType.Counter, parameters, cancellationToken).ConfigureAwait(false);
            case "deltimers":
                return await DeleteAsync(Aggregation.MetricType.Timer, parameters, cancellationToken).ConfigureAwait(false);
            case "delgauges":
                return await DeleteAsync(Aggregation.MetricType.Gauge, parameters, cancellationToken).ConfigureAwait(false);
            case "quit":
                return null;
            default:
                return "ERROR\n";
        }
    }

    private async Task<string> DeleteAsync(Aggregation.MetricType type, string[] parameters, CancellationToken cancellationToken)
    {
        var sb = new StringBuilder();
        foreach (var bucket in parameters)
        {
            var names = await _target.NamesAsync(type, cancellationToken).ConfigureAwait(false);
            var deletable = ExistingStats(names, bucket);
            if (deletable.Count == 0)
            {
                sb.Append("metric ").Append(bucket).Append(" not found\n");
            }

            foreach (var name in deletable)
            {
                await _target.DeleteAsync(type, name, cancellationToken).ConfigureAwait(false);
                sb.Append("deleted: ").Append(name).Append('\n');
            }
        }

        return sb.Append("END\n\n").ToString();
    }

    /// <summary>Etsy <c>existing_stats</c>: the exact name, plus every name under <c>folder.</c> for <c>folder.*</c>.</summary>
    internal static List<string> ExistingStats(IReadOnlyList<string> names, string bucket)
    {
        var matches = new List<string>();
        if (names.Contains(bucket))
        {
            matches.Add(bucket);
        }

        if (bucket.EndsWith(".*", StringComparison.Ordinal))
        {
            var folder = bucket[..^1];
            foreach (var name in names)
            {
                if (name.StartsWith(folder, StringComparison.Ordinal))
                {
                    matches.Add(name);
                }
            }
        }

        return matches;
    }

    public ValueTask DisposeAsync() => _loop?.DisposeAsync() ?? ValueTask.CompletedTask;

    [LoggerMessage(Level = LogLevel.Debug, Message = "MGMT: Caught {Reason}, Moving on")]
    private static partial void LogClientError(ILogger logger, string reason);
}

/// <summary>What the management console reads and changes.</summary>
internal interface IManagementTarget
{
    string HealthStatus { get; set; }

    string ConfigText();

    string StatsText();

    Task<JsObject> CountersAsync(CancellationToken cancellationToken);

    Task<JsObject> TimersAsync(CancellationToken cancellationToken);

    Task<JsObject> GaugesAsync(CancellationToken cancellationToken);

    Task<JsObject> SetsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> NamesAsync(Aggregation.MetricType type, CancellationToken cancellationToken);

    Task DeleteAsync(Aggregation.MetricType type, string name, CancellationToken cancellationToken);
}
