using System.Globalization;
using Opskit.ReplCheck.Tests.MariaDb;
using Opskit.ReplCheck.Tests.Support;
using Opskit.Testing;

namespace Opskit.ReplCheck.Tests.Output;

/// <summary>Colours appear when stdout is a terminal (a tmux pane) and never with NO_COLOR or when piped.</summary>
public sealed class TerminalColourTests(StandaloneServerFixture fixture) : IClassFixture<StandaloneServerFixture>
{
    [Theory]
    [InlineData("", "auto", true)]
    [InlineData("1", "auto", false)]
    [InlineData("", "never", false)]
    [InlineData("1", "always", true)]
    public async Task Table_is_coloured_on_a_terminal_unless_NO_COLOR_or_told_otherwise(string noColor, string color, bool coloured)
    {
        var tmux = ExternalProgram.Require("tmux", "apt: tmux");
        var socket = $"opskit-replcheck-{Guid.NewGuid():N}";
        using var home = new TempDirectory("opskit-replcheck-home");
        var (dotnet, prefix) = RepoPaths.OpskitCommand();
        var command = string.Join(' ', new[] { dotnet }.Concat(prefix).Concat(["replcheck", "-h", "127.0.0.1", "-P", fixture.Server.Port.ToString(CultureInfo.InvariantCulture), "-u", "root", "--color", color]));
        var noColorAssignment = noColor.Length == 0 ? "unset NO_COLOR" : $"export NO_COLOR={noColor}";
        var script = $"{noColorAssignment}; export HOME={home.Path}; {command}; echo \"EXIT:$?\"; sleep 600";
        try
        {
            await ProgramRun.CheckedAsync(tmux, ["-L", socket, "new-session", "-d", "-x", "200", "-y", "50", "bash", "-c", script], TimeSpan.FromSeconds(30));
            var screen = string.Empty;
            var done = await Eventually.TryAsync(async () =>
            {
                screen = await ProgramRun.CheckedAsync(tmux, ["-L", socket, "capture-pane", "-p", "-e"], TimeSpan.FromSeconds(30));
                return screen.Contains("EXIT:", StringComparison.Ordinal);
            }, TimeSpan.FromSeconds(90));
            Assert.True(done, $"replcheck did not finish in tmux:\n{screen}");
            Assert.Contains("EXIT:2", screen, StringComparison.Ordinal);
            Assert.Contains("relay_log_recovery", screen, StringComparison.Ordinal);
            Assert.Equal(coloured, screen.Contains("\u001b[31m", StringComparison.Ordinal));
        }
        finally
        {
            await ProgramRun.RunAsync(tmux, ["-L", socket, "kill-server"], TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task Piped_output_has_no_colours()
    {
        using var home = new TempDirectory("opskit-replcheck-home");
        var run = await ReplCheckCli.RunAsync([.. ReplCheckCli.Root(fixture.Server)], home.Path, new Dictionary<string, string> { ["NO_COLOR"] = string.Empty });
        Assert.Equal(2, run.ExitCode);
        Assert.DoesNotContain("\u001b[", run.Stdout, StringComparison.Ordinal);
    }
}
