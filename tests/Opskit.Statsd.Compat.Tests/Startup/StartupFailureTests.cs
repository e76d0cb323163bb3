using System.Net;
using System.Net.Sockets;
using Opskit.Statsd.Compat.Tests.Support;
using Opskit.Testing;
using Opskit.Testing.Graphite;
using Xunit;

namespace Opskit.Statsd.Compat.Tests.Startup;

/// <summary>
/// Issue 20: a start-up that fails says so in one line naming the address and exits with the documented code,
/// without first claiming that a running daemon stopped (no "stopping", no empty final flush, no "stopped").
/// </summary>
public sealed class StartupFailureTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_udp_port_in_use_is_one_line_naming_it_and_exit_code_2()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        using var dir = new TempDirectory();
        new EtsyConfig
        {
            { "address", "127.0.0.1" },
            { "port", port },
            { "mgmt_port", FreePort.Tcp() },
            { "backends", new[] { "./backends/console" } },
        }.WriteTo(dir.File("statsd.js"));

        await using var statsd = RepoPaths.StartOpskit(["statsd", "--config", dir.File("statsd.js")]);
        Assert.True(await statsd.WaitForExitAsync(Timeout), $"opskit statsd kept running. Output:\n{statsd.Output}");
        var output = statsd.Output;
        Assert.True(statsd.ExitCode == 3, $"exit code (3: cannot listen, docs/statsd.md) {statsd.ExitCode}. Output:\n{output}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var failure = Assert.Single(lines, l => l.Contains("cannot start", StringComparison.Ordinal));
        Assert.Contains($"cannot listen on UDP 127.0.0.1:{port}: Address already in use", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("stopping", output, StringComparison.Ordinal);
        Assert.DoesNotContain("stopped", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Flushing stats", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shutdown_is_logged()
    {
        await using var graphite = FakeGraphite.Start();
        await using var statsd = await StatsdDaemon.StartAsync(StatsdDaemon.Opskit, EtsyConfig.EtsyGraphiteTest(graphite.Port, flushInterval: 600_000));
        statsd.Process.Terminate();
        Assert.True(await statsd.Process.WaitForExitAsync(Timeout), $"opskit should exit after SIGTERM. Output:\n{statsd.Process.Output}");
        Assert.Equal(0, statsd.Process.ExitCode);
        Assert.Contains("stopping: no longer receiving, final flush to every backend", statsd.Process.Output, StringComparison.Ordinal);
        Assert.Contains("stopped", statsd.Process.Output.Split('\n').Last(l => l.Length > 0), StringComparison.Ordinal);
    }
}
