using System.CommandLine;
using Microsoft.Extensions.Logging;
using Opskit.Core;
using Opskit.Core.Hosting;

namespace Opskit;

/// <summary>
/// <c>opskit up</c>: every service tool in one process, on loopback and embedded defaults,
/// until Ctrl-C or SIGTERM.
/// </summary>
internal static partial class UpCommand
{
    public static Command Create(IReadOnlyList<IOpskitTool> tools)
    {
        var dataDir = new Option<DirectoryInfo>("--data-dir")
        {
            Description = "Where services keep their files.",
            DefaultValueFactory = _ => new DirectoryInfo("data"),
        };
        var command = new Command("up", "Start every service tool on loopback with embedded defaults; Ctrl-C stops them all.")
        {
            dataDir,
        };
        var settings = new List<(Option<string> Option, string Key)>();
        foreach (var (name, key, help) in Settable)
        {
            var option = new Option<string>(name) { Description = help, HelpName = key.EndsWith("port", StringComparison.Ordinal) ? "PORT" : "URL" };
            command.Options.Add(option);
            settings.Add((option, key));
        }

        // Ctrl-C and SIGTERM cancel the token (StopSignals); every service then stops and flushes.
        command.SetAction((parse, ct) =>
        {
            var given = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (option, key) in settings)
            {
                if (parse.GetValue(option) is { Length: > 0 } value)
                {
                    if (key.EndsWith("port", StringComparison.Ordinal) && !(int.TryParse(value, out var port) && port is > 0 and < 65536))
                    {
                        Console.Error.WriteLine($"opskit up: {option.Name} takes a port number from 1 to 65535, not '{value}'");
                        return Task.FromResult(2);
                    }

                    if (!key.EndsWith("port", StringComparison.Ordinal) && !Uri.TryCreate(value.Split(';')[0], UriKind.Absolute, out _))
                    {
                        Console.Error.WriteLine($"opskit up: {option.Name} takes an absolute URL such as http://127.0.0.1:9000, not '{value}'");
                        return Task.FromResult(2);
                    }

                    given[key] = value;
                }
            }

            return RunServicesAsync(tools, parse.GetValue(dataDir)!, given, ct);
        });
        return command;
    }

    /// <summary>What a person can change of <c>opskit up</c>'s embedded defaults, as (option, setting key, help).</summary>
    internal static readonly (string Option, string Key, string Help)[] Settable =
    [
        ("--edge-upstream", "edge.upstream", "The backend edge forwards to (default http://127.0.0.1:8000/, the cluster service)."),
        ("--edge-listen", "edge.listen", "Where edge listens (default http://127.0.0.1:8080)."),
        ("--edge-admin", "edge.admin", "Where edge's admin endpoints listen (default http://127.0.0.1:8081)."),
        ("--cluster-urls", "cluster.urls", "Where the cluster service listens (default http://127.0.0.1:8000)."),
        ("--statsd-port", "statsd.port", "statsd's UDP and TCP port on 127.0.0.1 (default 8125)."),
        ("--statsd-mgmt-port", "statsd.mgmt-port", "statsd's management port on 127.0.0.1 (default 8126)."),
        ("--statsd-prometheus-port", "statsd.prometheus-port", "statsd's Prometheus /metrics port on 127.0.0.1 (default 9102)."),
    ];

    private static async Task<int> RunServicesAsync(IReadOnlyList<IOpskitTool> tools, DirectoryInfo dataDir, IReadOnlyDictionary<string, string> settings, CancellationToken stopping)
    {
        var services = new List<IServiceTool>();
        foreach (var tool in tools)
        {
            if (tool is IServiceTool service)
            {
                services.Add(service);
            }
        }

        if (services.Count == 0)
        {
            Console.WriteLine("opskit up: no service tools exist yet; nothing to start.");
            return 0;
        }

        using var loggerFactory = OpskitLogging.CreateFactory();
        var logger = loggerFactory.CreateLogger("Opskit.Up");
        dataDir.Create();
        var context = new EmbeddedContext(dataDir.FullName, loggerFactory) { Settings = settings };
        var running = new List<RunningService>();
        var exitCode = 0;
        try
        {
            foreach (var service in services)
            {
                var started = await service.StartEmbeddedAsync(context, stopping);
                running.Add(started);
                Console.WriteLine($"{started.Name,-8} {string.Join("  ", started.Addresses)}");
            }

            Console.WriteLine($"opskit up: {running.Count} services running, data in {dataDir.FullName}; Ctrl-C stops them.");
            await WaitForStopAsync(stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Ctrl-C during start-up: stop what already started.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One line that says why (a second `opskit up` finds its ports taken), not a stack trace per service.
            LogStartFailed(logger, CommandFailure.Describe(ex));
            exitCode = CommandFailure.ExitCodeOf(ex);
        }
        finally
        {
            // Stop in reverse order so that a service's clients stop before it does.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            for (var i = running.Count - 1; i >= 0; i--)
            {
                await running[i].StopAsync(timeout.Token);
                LogStopped(logger, running[i].Name);
            }
        }

        return exitCode;
    }

    private static async Task WaitForStopAsync(CancellationToken stopping)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = stopping.Register(() => stopped.TrySetResult());
        await stopped.Task;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "opskit up: a service failed to start ({Reason}); stopping the others")]
    private static partial void LogStartFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Service} stopped")]
    private static partial void LogStopped(ILogger logger, string service);
}
