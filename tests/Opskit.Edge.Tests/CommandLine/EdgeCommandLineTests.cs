using System.Net;
using System.Net.Sockets;
using Opskit.Edge.Tests.Support;
using Opskit.Testing;

namespace Opskit.Edge.Tests.CommandLine;

/// <summary>Issue #20, edge points: the real <c>opskit edge</c> command's start-up, shutdown and argument handling.</summary>
public sealed class EdgeCommandLineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string Config(TempDirectory dir, int port, string upstream, string extraEdge = "")
    {
        var path = dir.File("edge.json");
        File.WriteAllText(path, $$"""
            {
              "Edge": { "Listen": "http://127.0.0.1:{{port}}"{{extraEdge}} },
              "ReverseProxy": {
                "Routes": { "r": { "ClusterId": "c", "Match": { "Path": "/{**catch-all}" } } },
                "Clusters": { "c": { "Destinations": { "d1": { "Address": "{{upstream}}" } } } }
              }
            }
            """);
        return path;
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_and_exit_code_3_without_a_stack_trace()
    {
        using var dir = new TempDirectory();
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var config = Config(dir, port, "http://127.0.0.1:9/");

        await using var edge = RepoPaths.StartOpskit(["edge", "-c", config]);
        Assert.True(await edge.WaitForExitAsync(Timeout), edge.Output);

        Assert.Equal(3, edge.ExitCode);
        var lines = edge.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.Contains("address already in use", line, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Config_is_marked_required_and_has_the_short_alias_c()
    {
        await using var help = RepoPaths.StartOpskit(["edge", "--help"]);
        Assert.True(await help.WaitForExitAsync(Timeout), help.Output);
        await using var missing = RepoPaths.StartOpskit(["edge"]);
        Assert.True(await missing.WaitForExitAsync(Timeout), missing.Output);

        Assert.Contains("-c, --config", help.Output, StringComparison.Ordinal);
        Assert.Contains("REQUIRED", help.Output, StringComparison.Ordinal);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("--config", missing.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_is_logged_after_a_start_and_the_process_exits_0()
    {
        using var dir = new TempDirectory();
        var port = FreePort.Tcp();
        var config = Config(dir, port, "http://127.0.0.1:9/");
        await using var edge = RepoPaths.StartOpskit(["edge", "--config", config]);
        await edge.WaitForOutputAsync("edge: listening", Timeout);

        edge.Terminate();
        Assert.True(await edge.WaitForExitAsync(Timeout), edge.Output);

        Assert.Equal(0, edge.ExitCode);
        Assert.Contains("edge: stopping", edge.Output, StringComparison.Ordinal);
        Assert.Contains("edge: stopped", edge.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_profiles_refuses_an_out_directory_that_does_not_exist_unless_create_dirs()
    {
        using var dir = new TempDirectory();
        var signals = dir.File("reads.csv");
        await File.WriteAllTextAsync(signals, "user_id,article_id,timestamp\nu1,a1,1700000000\n", TestContext.Current.CancellationToken);
        var target = Path.Combine(dir.Path, "typo", "deeper", "p.db");

        await using var refused = RepoPaths.StartOpskit(["edge", "build-profiles", "--signals", signals, "--out", target]);
        Assert.True(await refused.WaitForExitAsync(Timeout), refused.Output);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("does not exist", refused.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "typo")));

        await using var created = RepoPaths.StartOpskit(["edge", "build-profiles", "--signals", signals, "--out", target, "--create-dirs"]);
        Assert.True(await created.WaitForExitAsync(Timeout), created.Output);
        Assert.Equal(0, created.ExitCode);
        Assert.True(File.Exists(target));
    }

    [Fact]
    public async Task A_config_reload_does_not_log_a_false_back_healthy()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        using var dir = new TempDirectory();
        var port = FreePort.Tcp();
        const string probe = """, "Probes": { "c": { "Url": "/health", "IntervalSeconds": 0.1, "Window": 4, "Threshold": 2 } }""";
        var config = Config(dir, port, upstream.Address, probe);
        await using var edge = RepoPaths.StartOpskit(["edge", "--config", config]);
        await edge.WaitForOutputAsync("edge: listening", Timeout);
        await edge.WaitForOutputAsync("healthy", Timeout);

        // Same probe, another setting: the file is reloaded, the probe must go on as it was.
        await File.WriteAllTextAsync(config,
            (await File.ReadAllTextAsync(config, TestContext.Current.CancellationToken)).Replace("\"Listen\"", "\"DecisionHeader\": \"X-P\", \"Listen\"", StringComparison.Ordinal),
            TestContext.Current.CancellationToken);
        await edge.WaitForOutputAsync("configuration reloaded", Timeout);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        using var afterReload = await client.GetAsync("/after-reload?cc=no-store", TestContext.Current.CancellationToken);
        var probesLogged = ProbeLines(edge.Output);

        // The probe loops are reconciled with the configuration every second: give that 20 probes (about 2 s).
        var checks = upstream.HealthChecks;
        await Eventually.AssertAsync(() => upstream.HealthChecks >= checks + 20, Timeout, "20 more probes");

        Assert.Equal(HttpStatusCode.OK, afterReload.StatusCode);
        Assert.DoesNotContain("back healthy", edge.Output, StringComparison.Ordinal);
        Assert.Equal(probesLogged, ProbeLines(edge.Output));
    }

    private static int ProbeLines(string output) => output.Split("probe:").Length - 1;
}
