using System.Text.RegularExpressions;
using Opskit.Core.Hosting;
using Opskit.Testing;
using Xunit;

namespace Opskit.Tests;

public sealed partial class CommandLineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Help_lists_every_registered_tool_with_its_description()
    {
        var (exitCode, output) = await RunOpskitAsync("--help");

        Assert.Equal(0, exitCode);
        Assert.Contains("up", output, StringComparison.Ordinal);
        foreach (var tool in ToolRegistry.All)
        {
            Assert.Matches(new Regex($@"^\s+{Regex.Escape(tool.Name)}\b.*{Regex.Escape(tool.Description[..Math.Min(20, tool.Description.Length)])}", RegexOptions.Multiline), output);
        }
    }

    [Fact]
    public async Task Version_prints_the_version_and_the_commit()
    {
        var (exitCode, output) = await RunOpskitAsync("--version");

        Assert.Equal(0, exitCode);
        Assert.Matches(VersionLine(), output.Trim());
    }

    [Fact]
    public async Task Unknown_command_fails_with_a_message()
    {
        var (exitCode, output) = await RunOpskitAsync("no-such-tool");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("no-such-tool", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_starts_every_service_tool_and_stops_cleanly_on_sigterm()
    {
        using var dataDir = new TempDirectory();
        var services = ToolRegistry.All.OfType<IServiceTool>().ToList();
        // Free ports rather than the defaults: anything else on the machine holding 8000/8080/8125/9102 (another
        // opskit up, a developer's statsd) must not fail this test; the defaults are checked by each tool's tests.
        int statsdPort = FreePort.TcpAndUdp(), mgmtPort = FreePort.Tcp(), promPort = FreePort.Tcp();
        await using var up = RepoPaths.StartOpskit(
        [
            "up", "--data-dir", dataDir.Path, "--edge-listen", $"http://127.0.0.1:{FreePort.Tcp()}", "--edge-admin", $"http://127.0.0.1:{FreePort.Tcp()}",
            "--cluster-urls", $"http://127.0.0.1:{FreePort.Tcp()}", "--statsd-port", $"{statsdPort}",
            "--statsd-mgmt-port", $"{mgmtPort}", "--statsd-prometheus-port", $"{promPort}",
        ]);

        if (services.Count == 0)
        {
            Assert.True(await up.WaitForExitAsync(Timeout), up.Output);
            Assert.Equal(0, up.ExitCode);
            Assert.Contains("no service tools", up.Output, StringComparison.Ordinal);
            return;
        }

        await up.WaitForOutputAsync("services running", TimeSpan.FromMinutes(2));
        foreach (var service in services)
        {
            Assert.Matches(new Regex($@"^{Regex.Escape(service.Name)}\s+\S+", RegexOptions.Multiline), up.Output);
        }

        up.Terminate();
        Assert.True(await up.WaitForExitAsync(Timeout), $"opskit up did not stop on SIGTERM:\n{up.Output}");
        Assert.Equal(0, up.ExitCode);
        Assert.DoesNotContain("Unhandled exception", up.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_right_after_start_up_stops_and_flushes_every_time()
    {
        // A service can be serving before System.CommandLine would have registered its signal handlers; a
        // SIGTERM in that window used to end the process at once (exit 143, no final flush), about one start
        // in fifteen. StopSignals owns the signals from the first line of Main.
        using var dir = new TempDirectory();
        var config = Path.Combine(dir.Path, "statsd.js");
        await File.WriteAllTextAsync(config, $"{{ port: {FreePort.Udp()}, mgmt_port: {FreePort.Tcp()}, flushInterval: 600000, backends: [\"./backends/console\"] }}", TestContext.Current.CancellationToken);
        for (var i = 0; i < 12; i++)
        {
            await using var statsd = RepoPaths.StartOpskit(["statsd", "--config", config]);
            await statsd.WaitForOutputAsync("server is up", Timeout);
            statsd.Terminate();
            Assert.True(await statsd.WaitForExitAsync(Timeout), $"start {i}: opskit statsd did not stop on SIGTERM:\n{statsd.Output}");
            Assert.True(statsd.ExitCode == 0, $"start {i}: exit code {statsd.ExitCode}:\n{statsd.Output}");
            Assert.Contains("final flush", statsd.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Up_takes_the_users_backend_and_ports()
    {
        using var dataDir = new TempDirectory();
        var originPort = FreePort.Tcp();
        using var origin = new System.Net.HttpListener();
        origin.Prefixes.Add($"http://127.0.0.1:{originPort}/");
        origin.Start();
        var served = Task.Run(async () =>
        {
            while (origin.IsListening)
            {
                var context = await origin.GetContextAsync();
                var body = System.Text.Encoding.UTF8.GetBytes($"from my backend: {context.Request.Url!.AbsolutePath}");
                context.Response.Headers["Cache-Control"] = "max-age=60";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }, TestContext.Current.CancellationToken);

        int edgePort = FreePort.Tcp(), adminPort = FreePort.Tcp(), clusterPort = FreePort.Tcp();
        int statsdPort = FreePort.TcpAndUdp(), mgmtPort = FreePort.Tcp(), promPort = FreePort.Tcp();
        await using var up = RepoPaths.StartOpskit(
        [
            "up", "--data-dir", dataDir.Path, "--edge-upstream", $"http://127.0.0.1:{originPort}/",
            "--edge-listen", $"http://127.0.0.1:{edgePort}", "--edge-admin", $"http://127.0.0.1:{adminPort}",
            "--cluster-urls", $"http://127.0.0.1:{clusterPort}", "--statsd-port", $"{statsdPort}",
            "--statsd-mgmt-port", $"{mgmtPort}", "--statsd-prometheus-port", $"{promPort}",
        ]);
        await up.WaitForOutputAsync("services running", TimeSpan.FromMinutes(2));
        Assert.Contains($"udp://127.0.0.1:{statsdPort}", up.Output, StringComparison.Ordinal);
        Assert.Contains($"tcp://127.0.0.1:{mgmtPort}", up.Output, StringComparison.Ordinal);
        Assert.Contains($"http://127.0.0.1:{clusterPort}", up.Output, StringComparison.Ordinal);

        using var client = new HttpClient();
        var text = await client.GetStringAsync(new Uri($"http://127.0.0.1:{edgePort}/hello"), TestContext.Current.CancellationToken);
        Assert.Equal("from my backend: /hello", text);
        using var metrics = await client.GetAsync(new Uri($"http://127.0.0.1:{promPort}/metrics"), TestContext.Current.CancellationToken);
        Assert.True(metrics.IsSuccessStatusCode, $"statsd's /metrics on {promPort}: {(int)metrics.StatusCode}");

        up.Terminate();
        Assert.True(await up.WaitForExitAsync(Timeout), up.Output);
        Assert.Equal(0, up.ExitCode);
        origin.Stop();
        await Task.WhenAny(served, Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Up_refuses_a_port_that_is_not_a_number_in_one_line()
    {
        var (exitCode, output) = await RunOpskitAsync("up", "--statsd-port", "eighty");
        Assert.Equal(2, exitCode);
        Assert.Equal("opskit up: --statsd-port takes a port number from 1 to 65535, not 'eighty'", output.Trim());
    }

    [Fact]
    public async Task Install_puts_a_launcher_that_works_from_any_folder_and_uninstall_removes_it()
    {
        using var prefix = new TempDirectory("opskit-prefix");
        var wrapper = Path.Combine(RepoPaths.Root, "opskit");
        var (installed, installOutput) = await ProgramRun.RunAsync(wrapper, ["install", "--prefix", prefix.Path], TimeSpan.FromMinutes(8));
        Assert.True(installed == 0, installOutput);
        var launcher = Path.Combine(prefix.Path, "bin", "opskit");
        Assert.Contains($"installed {launcher}", installOutput, StringComparison.Ordinal);

        // From another folder, as a person would after putting PREFIX/bin on PATH.
        using var elsewhere = new TempDirectory("opskit-elsewhere");
        var (exitCode, output) = await ProgramRun.RunAsync("sh", ["-c", $"cd '{elsewhere.Path}' && PATH='{prefix.Path}/bin':\"$PATH\" opskit --version"], Timeout);
        Assert.Equal(0, exitCode);
        Assert.Matches(VersionLine(), output.Trim());

        var (removed, removeOutput) = await ProgramRun.RunAsync(wrapper, ["uninstall", "--prefix", prefix.Path], Timeout);
        Assert.True(removed == 0, removeOutput);
        Assert.False(File.Exists(launcher));
        Assert.False(Directory.Exists(Path.Combine(prefix.Path, "lib", "opskit")));
    }

    [Fact]
    public async Task Install_with_an_unknown_argument_is_one_line_and_exit_code_2()
    {
        var (exitCode, output) = await ProgramRun.RunAsync(Path.Combine(RepoPaths.Root, "opskit"), ["install", "--prefx", "/tmp"], Timeout);
        Assert.Equal(2, exitCode);
        Assert.Equal("opskit install: unknown argument '--prefx' (usage: ./opskit install [--prefix DIR])", output.Trim());
    }

    private static Task<(int ExitCode, string Output)> RunOpskitAsync(params string[] arguments)
    {
        var (fileName, prefix) = RepoPaths.OpskitCommand();
        return ProgramRun.RunAsync(fileName, [.. prefix, .. arguments], Timeout);
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+\+([0-9a-f]{12}|unknown)$")]
    private static partial Regex VersionLine();
}
