using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Opskit.Testing.Tests;

public sealed class ExternalProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Stopped_process_is_gone_afterwards()
    {
        var process = ExternalProcess.Start("sleep", ["300"]);
        var pid = process.Pid;
        Assert.True(Directory.Exists($"/proc/{pid}"), "the process should be running after Start");

        await process.DisposeAsync();

        // The PID is reaped, so /proc no longer lists it (or lists a different, newer process).
        var gone = await Eventually.TryAsync(() => !IsSameProcessAlive(pid), Timeout);
        Assert.True(gone, $"process {pid} is still alive after DisposeAsync");
        Assert.True(process.HasExited);
    }

    [Fact]
    public async Task Sigterm_lets_the_program_exit_on_its_own()
    {
        await using var process = ExternalProcess.Start("sh", ["-c", "trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.1; done"]);
        await process.WaitForOutputAsync("ready", Timeout);

        process.Terminate();

        Assert.True(await process.WaitForExitAsync(Timeout));
        Assert.Equal(7, process.ExitCode);
        await Eventually.AssertAsync(() => process.Output.Contains("got-term", StringComparison.Ordinal), Timeout, "trap output");
    }

    [Fact]
    public async Task Waiting_for_output_returns_when_the_line_appears()
    {
        await using var process = ExternalProcess.Start("sh", ["-c", "sleep 0.3; echo 'server is up'; sleep 30"]);

        await process.WaitForOutputAsync("server is up", Timeout);

        Assert.Contains("server is up", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Waiting_for_output_fails_with_the_output_when_the_program_exits()
    {
        await using var process = ExternalProcess.Start("sh", ["-c", "echo boom >&2; exit 3"]);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => process.WaitForOutputAsync("never printed", Timeout));

        Assert.Contains("exited with 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("boom", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Waiting_for_a_port_returns_once_the_program_listens()
    {
        var port = FreePort.Tcp();
        // A real listener in another process: python's http.server, bound to loopback.
        var python = ExternalProgram.Require("python3", "apt: python3");
        await using var process = ExternalProcess.Start(python, ["-m", "http.server", "--bind", "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        await process.WaitForTcpPortAsync(port, Timeout);

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), TestContext.Current.CancellationToken);
        Assert.True(client.Connected);
    }

    [Fact]
    public async Task Program_run_reports_exit_code_and_output()
    {
        var (exitCode, output) = await ProgramRun.RunAsync("sh", ["-c", "echo out; echo err >&2; exit 4"], Timeout);

        Assert.Equal(4, exitCode);
        Assert.Contains("out", output, StringComparison.Ordinal);
        Assert.Contains("err", output, StringComparison.Ordinal);
    }

    private static bool IsSameProcessAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/cmdline");
            return stat.StartsWith("sleep", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
