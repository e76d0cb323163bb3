using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Opskit.Statsd.Configuration;
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
    private readonly TcpLimits _limits;
    private TcpAcceptLoop? _loop;
    private long _tooLong;

    private ManagementConsole(IManagementTarget target, TcpLimits limits, ILogger logger)
    {
        _target = target;
        _limits = limits;
        _logger = logger;
    }

    public IPEndPoint LocalEndPoint => _loop!.LocalEndPoint;

    /// <summary>Connections being served now.</summary>
    public int OpenConnections => _loop!.OpenConnections;

    /// <summary>Connections refused because <c>mgmt_maxConnections</c> were open.</summary>
    public long RefusedConnections => _loop!.RefusedConnections;

    /// <summary>Connections closed for a command line over <c>mgmt_maxLineLength</c>.</summary>
    public long LinesTooLong => Interlocked.Read(ref _tooLong);

    public static ManagementConsole Start(string address, int port, TcpLimits limits, IManagementTarget target, ILogger logger)
    {
        var ip = Input.UdpInput.ResolveAddress(address, ipv6: address.Contains(':', StringComparison.Ordinal));
        var console = new ManagementConsole(target, limits, logger);
        console._loop = TcpAcceptLoop.Start(ip, port, 64, console.ServeAsync, limits.MaxConnections);
        return console;
    }

    private async Task ServeAsync(Socket client, CancellationToken stopping)
    {
        using (client)
        {
            var idle = TimeSpan.FromMilliseconds(_limits.IdleTimeoutMs);
            using var reader = new LineReader(client, _limits.MaxLineLength, idle);
            try
            {
                while (!stopping.IsCancellationRequested)
                {
                    var (status, line) = await reader.ReadLineAsync(stopping).ConfigureAwait(false);
                    if (status == LineStatus.TooLong)
                    {
                        if (Interlocked.Increment(ref _tooLong) % 1000 == 1)
                        {
                            LogLineTooLong(_logger, _limits.MaxLineLength);
                        }
                        return;
                    }

                    if (status != LineStatus.Line)
                    {
                        return; // closed, stopping, or idle past mgmt_idleTimeout
                    }

                    var parts = line!.Trim().Split(' ');
                    string? reply;
                    using (var command = CancellationTokenSource.CreateLinkedTokenSource(stopping))
                    {
                        // A client that leaves while a long command runs (delcounters on a big keyspace) cancels it.
                        var watch = reader.HasBuffered ? Task.CompletedTask : WatchDisconnectAsync(client, command);
                        try
                        {
                            reply = await ExecuteAsync(parts[0], parts[1..], command.Token).ConfigureAwait(false);
                        }
                        finally
                        {
                            await command.CancelAsync().ConfigureAwait(false);
                            await watch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                        }
                    }

                    if (reply is null)
                    {
                        return; // quit
                    }

                    await SendAsync(client, Encoding.UTF8.GetBytes(reply), idle, stopping).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or TimeoutException)
            {
                LogClientError(_logger, ex.Message);
            }
        }
    }

    /// <summary>Cancels <paramref name="command"/> when the client closes its side (a peek that returns 0 bytes).</summary>
    private static async Task WatchDisconnectAsync(Socket client, CancellationTokenSource command)
    {
        var probe = new byte[1];
        try
        {
            var read = await client.ReceiveAsync(probe, SocketFlags.Peek, command.Token).ConfigureAwait(false);
            if (read == 0)
            {
                await command.CancelAsync().ConfigureAwait(false);
            }
        }
        catch (SocketException)
        {
            await command.CancelAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the command finished first
        }
    }

    /// <summary>Writes a reply; a client that stops reading for the idle timeout is dropped.</summary>
    private static async Task SendAsync(Socket client, byte[] data, TimeSpan stallTimeout, CancellationToken stopping)
    {
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        for (var offset = 0; offset < data.Length;)
        {
            stall.CancelAfter(stallTimeout);
            offset += await client.SendAsync(data.AsMemory(offset, Math.Min(64 * 1024, data.Length - offset)), SocketFlags.None, stall.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Runs one command; returns the reply, or null for <c>quit</c>.</summary>
    internal async Task<string?> ExecuteAsync(string command, string[] parameters, CancellationToken cancellationToken)
    {
        switch (command)
        {
            case "help":
                return "Commands: stats, counters, timers, gauges, sets, delcounters, deltimers, delgauges, health, config, quit\n\n";
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
        var plan = new DeletePlan(parameters);
        var deleted = await _target.DeleteAsync(type, plan, cancellationToken).ConfigureAwait(false);
        return plan.Reply(deleted);
    }

    public ValueTask DisposeAsync() => _loop?.DisposeAsync() ?? ValueTask.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "MGMT: a command line longer than {Max} bytes (mgmt_maxLineLength); connection closed (logged once per 1,000)")]
    private static partial void LogLineTooLong(ILogger logger, int max);

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

    /// <summary>Deletes, in one pass over the keys of <paramref name="type"/>, every key <paramref name="plan"/> matches.</summary>
    Task<List<Aggregation.DeletedKey>> DeleteAsync(Aggregation.MetricType type, DeletePlan plan, CancellationToken cancellationToken);
}
