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

    [Fact]
    public async Task Queries_from_a_file_and_the_command_line_are_or_ed()
    {
        using var directory = new TempDirectory("opskit-vlogdump-cli");
        var path = directory.File("errors.vslq");
        await File.WriteAllTextAsync(path, "# backend errors\nBerespStatus >= 400\n\n# the synthetic one, by id\nvxid \\\n == 32772\n", TestContext.Current.CancellationToken);
        var (exit, output) = await RunAsync(["vlogdump", Fixture("varnish-7.1-request.log"), "-Q", path, "-q", "Hit", "--format", "tsv", "--no-summary"]);
        Assert.Equal(0, exit);
        Assert.Equal(["32770", "5", "32772"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split('\t')[0]));

        var (missingExit, missing) = await RunAsync(["vlogdump", Fixture("varnish-7.1-request.log"), "-Q", directory.File("none.vslq")]);
        Assert.Equal(2, missingExit);
        Assert.StartsWith("opskit vlogdump: -Q ", Assert.Single(missing.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_binary_log_of_an_unknown_version_goes_to_varnishlog_r_with_a_message()
    {
        ExternalProgram.Require("varnishlog", "apt: varnish");
        using var directory = new TempDirectory("opskit-vlogdump-cli");
        var path = directory.File("future.vsl");
        await File.WriteAllBytesAsync(path, [.. "VSL9"u8, .. new byte[64]], TestContext.Current.CancellationToken);
        var (exit, output) = await RunAsync(["vlogdump", path]);
        Assert.Contains($"opskit vlogdump: {path}: unknown binary log version (header 56534C39); reading it with varnishlog -r instead", output, StringComparison.Ordinal);
        // varnishlog does not know it either: its error, then ours, exit code 1.
        Assert.Equal(1, exit);
        Assert.Contains("exited with", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_binary_log_whose_records_do_not_read_as_varnish_ones_goes_to_varnishlog_r()
    {
        ExternalProgram.Require("varnishlog", "apt: varnish");
        using var directory = new TempDirectory("opskit-vlogdump-cli");
        var path = directory.File("big-endian.vsl");
        // Tag 76 is Begin in 4.1-7.2, whose data always starts with sess, req or bereq: another numbering (or byte
        // order) than this reader knows.
        byte[] record = [12, 0, 0, 76, 1, 0, 0, 0x40, .. "xyz 1 rxreq\0"u8];
        await File.WriteAllBytesAsync(path, [.. "VSL\0"u8, .. record], TestContext.Current.CancellationToken);
        var (_, output) = await RunAsync(["vlogdump", path]);
        Assert.Contains("does not read as a Varnish 4.1-7.2 log record", output, StringComparison.Ordinal);
        Assert.Contains("reading it with varnishlog -r instead", output, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string[] arguments)
    {
        await using var process = RepoPaths.StartOpskit(arguments);
        Assert.True(await process.WaitForExitAsync(Patience), process.Output);
        await process.WaitForExitAsync(TimeSpan.FromSeconds(5));
        return (process.ExitCode, process.Output);
    }
}
