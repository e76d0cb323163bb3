using System.Text.Json;
using Opskit.Testing;

namespace Opskit.VarnishLog.Tests.EndToEnd;

/// <summary><c>opskit vlogdump</c> as a process: outputs, summary and documented exit codes.</summary>
public sealed class CommandLineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    [Fact]
    public async Task File_gives_the_original_two_lines_and_the_summary_on_stderr()
    {
        var (exit, output) = await RunAsync(["vlogdump", Fixture("legacy-2.1.log"), "--color", "never"]);
        Assert.Equal(0, exit);
        Assert.Contains("       10.0.0.1 => GET /index.html HTTP/1.1 HIT\n                <= 200 OK", output, StringComparison.Ordinal);
        Assert.Contains("vlogdump: 6 requests shown, 6 read from 125 lines (legacy 2.1/3.0), 2 malformed lines skipped", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\e[", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Awk_style_variables_filter_like_the_long_options()
    {
        var (exit, output) = await RunAsync(["vlogdump", Fixture("legacy-3.0.log"), "-v", "only_status=^4", "-v", "req_method=!POST", "--no-summary"]);
        Assert.Equal(0, exit);
        Assert.Equal(
            "       10.0.0.2 => GET /missing HTTP/1.1 SYNTH\n                <= 404 Not Found                                               0 ms\n",
            output);
    }

    [Fact]
    public async Task Summary_only_in_json_is_one_object_on_stdout()
    {
        var (exit, output) = await RunAsync(["vlogdump", Fixture("varnish-7.1-raw.log"), "--summary", "--format", "json"]);
        Assert.Equal(0, exit);
        using var summary = JsonDocument.Parse(output);
        Assert.Equal(5, summary.RootElement.GetProperty("requests").GetInt64());
        Assert.Equal(0.2, summary.RootElement.GetProperty("hit_ratio").GetDouble());
        Assert.Equal("4.x-7.x raw", summary.RootElement.GetProperty("format").GetString());
    }

    [Theory]
    [InlineData("--url-match", "(")]
    [InlineData("--client-match", "![")]
    [InlineData("-v", "url_match=(")]
    [InlineData("-v", "nonsense=1")]
    [InlineData("-q", "RespStatus ==")]
    [InlineData("--only-slow", "soon")]
    [InlineData("--max-pending", "0")]
    public async Task Bad_filter_is_one_line_and_exit_code_2(string option, string value)
    {
        var (exit, output) = await RunAsync(["vlogdump", Fixture("legacy-2.1.log"), option, value]);
        Assert.Equal(2, exit);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("opskit vlogdump: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_file_is_exit_code_1()
    {
        var (exit, output) = await RunAsync(["vlogdump", "/nonexistent/varnish.log"]);
        Assert.Equal(1, exit);
        Assert.Equal("opskit vlogdump: /nonexistent/varnish.log: no such file", Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task Unknown_option_is_a_usage_error_not_a_missing_file()
    {
        var (exit, output) = await RunAsync(["vlogdump", "--bogus"]);
        Assert.Equal(2, exit);
        Assert.Equal("opskit vlogdump: unknown option '--bogus' (see 'opskit vlogdump --help')", Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task Garbage_input_is_counted_not_fatal()
    {
        using var directory = new TempDirectory("opskit-vlogdump-cli");
        var path = directory.File("garbage.log");
        await File.WriteAllBytesAsync(path, [.. Enumerable.Range(0, 20_000).Select(i => (byte)((i * 7919) % 251))], TestContext.Current.CancellationToken);
        var (exit, output) = await RunAsync(["vlogdump", path]);
        Assert.Equal(0, exit);
        Assert.Contains("0 requests shown", output, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string[] arguments)
    {
        await using var process = RepoPaths.StartOpskit(arguments);
        Assert.True(await process.WaitForExitAsync(Patience), process.Output);
        await process.WaitForExitAsync(TimeSpan.FromSeconds(5));
        return (process.ExitCode, process.Output);
    }
}
