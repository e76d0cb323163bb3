using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Opskit.Core.Hosting;
using Opskit.Statsd.Configuration;

namespace Opskit.Statsd;

/// <summary>
/// <c>opskit statsd</c>: a StatsD daemon with Etsy statsd's protocol, numbers, Graphite names, configuration
/// file and management commands, built to take every packet under load.
/// </summary>
public sealed class StatsdTool : IServiceTool
{
    /// <summary>Ports and backends <c>opskit up</c> uses: UDP 8125 and management 8126 on loopback, and the
    /// prometheus backend on 127.0.0.1:9102 instead of console output (which would interleave with the other services' logs).</summary>
    internal static JsonObject EmbeddedConfig() => new()
    {
        ["port"] = 8125,
        ["address"] = "127.0.0.1",
        ["mgmt_address"] = "127.0.0.1",
        ["mgmt_port"] = 8126,
        ["backends"] = new JsonArray("prometheus"),
        ["prometheus"] = new JsonObject { ["address"] = "127.0.0.1", ["port"] = 9102 },
    };

    /// <inheritdoc />
    public string Name => "statsd";

    /// <inheritdoc />
    public string Description => "StatsD daemon, a drop-in replacement for Etsy statsd (same protocol, numbers, config and backends).";

    /// <inheritdoc />
    public Command CreateCommand()
    {
        var config = new Option<FileInfo?>("--config", "-c")
        {
            Description = "Etsy statsd configuration file (JavaScript object literal or JSON). Without it: UDP and management on 127.0.0.1:8125/8126, console backend.",
        };
        var command = new Command(Name, Description) { config };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(config), ct));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo? configFile, CancellationToken stopping)
    {
        using var loggerFactory = OpskitLogging.CreateFactory();
        var logger = loggerFactory.CreateLogger("statsd");
        StatsdConfig config;
        try
        {
            config = configFile is null ? StatsdConfig.Default() : StatsdConfig.Load(configFile.FullName);
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            Log.StartFailed(logger, ex.Message);
            return ExitCodes.BadConfiguration;
        }

        StatsdServer server;
        try
        {
            server = await StatsdServer.StartAsync(config, configFile?.FullName, loggerFactory, TimeProvider.System, Console.Out, stopping).ConfigureAwait(false);
        }
        catch (ListenException ex)
        {
            Log.ListenFailed(logger, ex.Message);
            return ExitCodes.CannotListen;
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or InvalidOperationException or FormatException)
        {
            Log.StartFailed(logger, ex.Message);
            return ExitCodes.BadConfiguration;
        }

        await using (server.ConfigureAwait(false))
        {
            using var hangup = OperatingSystem.IsWindows()
                ? null
                : PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
                {
                    context.Cancel = true;
                    server.Reload();
                });
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (stopping.Register(() => stopped.TrySetResult()).ConfigureAwait(false))
            {
                await stopped.Task.ConfigureAwait(false);
            }

            await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return ExitCodes.Stopped;
    }

    /// <summary>Exit codes of <c>opskit statsd</c> (docs/statsd.md).</summary>
    internal static class ExitCodes
    {
        /// <summary>Stopped by SIGTERM or Ctrl-C after the final flush.</summary>
        public const int Stopped = 0;

        /// <summary>The configuration file cannot be read or has a bad value.</summary>
        public const int BadConfiguration = 2;

        /// <summary>A listener cannot be opened (address in use, address not available, no permission).</summary>
        public const int CannotListen = 3;
    }

    /// <inheritdoc />
    public async Task<RunningService> StartEmbeddedAsync(EmbeddedContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.ServiceDirectory(Name);
        var embedded = EmbeddedConfig();
        embedded["port"] = int.Parse(context.Setting("statsd.port", "8125"), System.Globalization.CultureInfo.InvariantCulture);
        embedded["mgmt_port"] = int.Parse(context.Setting("statsd.mgmt-port", "8126"), System.Globalization.CultureInfo.InvariantCulture);
        embedded["prometheus"]!["port"] = int.Parse(context.Setting("statsd.prometheus-port", "9102"), System.Globalization.CultureInfo.InvariantCulture);
        var config = StatsdConfig.FromObject(embedded);
        var server = await StatsdServer.StartAsync(config, null, context.LoggerFactory, TimeProvider.System, TextWriter.Null, cancellationToken).ConfigureAwait(false);
        var addresses = server.UdpEndPoints.Select(e => $"udp://{e}")
            .Append($"mgmt tcp://{server.ManagementEndPoint}")
            .Append(server.PrometheusUrl ?? string.Empty)
            .Where(a => a.Length > 0)
            .ToList();
        return new RunningService(Name, addresses, server.StopAsync);
    }
}
