using System.Text;
using System.Text.Json;
using Opskit.Testing;
using Opskit.VarnishLog.Parsing;
using Opskit.VarnishLog.Tests.Support;

namespace Opskit.VarnishLog.Tests.EndToEnd;

/// <summary>
/// A real Varnish 7: requests the test sends are logged by varnishlog as grouped text and as a binary file, and the
/// entries vlogdump derives must be those requests with the handling varnishncsa gives them.
/// </summary>
public sealed class RealVarnishTests : IClassFixture<VarnishFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly VarnishFixture _varnish;

    public RealVarnishTests(VarnishFixture varnish) => _varnish = varnish;

    [Fact]
    public async Task Text_and_binary_logs_of_hit_miss_pass_pipe_and_synth_give_the_requests_sent()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var text = Path.Combine(_varnish.Directory, $"request-{run}.txt");
        var binary = Path.Combine(_varnish.Directory, $"binary-{run}.vsl");
        var varnishlog = ExternalProgram.Require("varnishlog", "apt: varnish");
        await using var textLog = ExternalProcess.Start(varnishlog, ["-n", _varnish.WorkDirectory, "-g", "request", "-A", "-u", "-w", text]);
        await using var binaryLog = ExternalProcess.Start(varnishlog, ["-n", _varnish.WorkDirectory, "-u", "-w", binary]);

        // varnishlog sees only what is logged after it attached: send a marker until both files hold it.
        var marker = $"/synth/attached-{run}";
        await Eventually.AssertAsync(async () =>
        {
            await _varnish.GetAsync(marker);
            return Contains(text, marker) && Contains(binary, marker);
        }, Patience, "varnishlog attached and writing");

        var expected = new (string Url, Handling Handling, int Status)[]
        {
            ($"/cached/{run}", Handling.Miss, 200),
            ($"/cached/{run}", Handling.Hit, 200),
            ($"/pass/{run}", Handling.Pass, 200),
            ($"/synth/{run}", Handling.Synth, 418),
            ($"/pipe/{run}", Handling.Pipe, -1),
        };
        foreach (var (url, _, status) in expected)
        {
            Assert.Equal(status < 0 ? 200 : status, await _varnish.GetAsync(url));
        }

        List<RequestEntry> Sent(byte[] log) =>
            LogRun.Of(log).Requests.Where(r => r.Url.EndsWith(run, StringComparison.Ordinal) && !r.Url.Contains("attached", StringComparison.Ordinal)).ToList();
        await Eventually.AssertAsync(() => Sent(ReadShared(text)).Count == expected.Length, Patience, "all requests in the text log");
        await Eventually.AssertAsync(() => Contains(binary, $"/pipe/{run}"), Patience, "the pipe in the binary log");
        await textLog.StopAsync(TimeSpan.FromSeconds(10));
        await binaryLog.StopAsync(TimeSpan.FromSeconds(10));

        // The grouped text, parsed in-process.
        var requests = Sent(ReadShared(text));
        Assert.Equal(expected.Select(e => (e.Url, e.Handling, e.Status)), requests.Select(r => (r.Url, r.Handling, r.Status)));
        Assert.All(requests, r =>
        {
            Assert.Equal("127.0.0.1", r.Client);
            Assert.Equal("GET", r.Method);
            Assert.Contains("User-Agent: vlogdump-test/1.0", r.RequestHeaders);
            Assert.True(r.TotalMs >= 0 && r.TotalMs < 30_000, $"time {r.TotalMs}");
        });
        Assert.Equal("Synthetic teapot", requests[3].Reason);
        Assert.Contains("X-Backend: test", requests[0].ResponseHeaders);

        // The binary file, through opskit (read by its own binary reader, not varnishlog -r).
        var json = await Opskit(["vlogdump", binary, "--format", "json", "--no-summary"]);
        var fromBinary = json.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("url").GetString()!.EndsWith(run, StringComparison.Ordinal) && !e.GetProperty("url").GetString()!.Contains("attached", StringComparison.Ordinal))
            .Select(e => (e.GetProperty("url").GetString(), e.GetProperty("handling").GetString(), e.GetProperty("status").ValueKind == JsonValueKind.Null ? -1 : e.GetProperty("status").GetInt32()))
            .ToList();
        Assert.Equal(expected.Select(e => ((string?)e.Url, (string?)HandlingNames.Name(e.Handling), e.Status)), fromBinary);

        // varnishncsa on the same binary log: the same handling, and the same default line as --format ncsa.
        var environment = new Dictionary<string, string> { ["TZ"] = "UTC" };
        var ncsaHandling = await ProgramRun.CheckedAsync("varnishncsa", ["-r", binary, "-F", "%U %{Varnish:handling}x"], Patience);
        Assert.Equal(
            expected.Select(e => $"{e.Url} {HandlingNames.Name(e.Handling)}"),
            ncsaHandling.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains(run, StringComparison.Ordinal) && !l.Contains("attached", StringComparison.Ordinal)));
        var ncsa = await ProgramRun.CheckedAsync("varnishncsa", ["-r", binary], Patience, environment);
        var ours = await Opskit(["vlogdump", binary, "--format", "ncsa", "--no-summary"], environment);
        Assert.Equal(Lines(ncsa), Lines(ours));
    }

    [Fact]
    public async Task The_binary_reader_reads_every_record_that_varnishlog_r_prints()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var binary = Path.Combine(_varnish.Directory, $"records-{run}.vsl");
        var varnishlog = ExternalProgram.Require("varnishlog", "apt: varnish");
        await using var binaryLog = ExternalProcess.Start(varnishlog, ["-n", _varnish.WorkDirectory, "-u", "-w", binary]);
        var marker = $"/synth/attached-{run}";
        await Eventually.AssertAsync(async () =>
        {
            await _varnish.GetAsync(marker);
            return Contains(binary, marker);
        }, Patience, "varnishlog attached and writing");
        string[] urls = [$"/cached/r-{run}", $"/cached/r-{run}", $"/pass/r-{run}?q=%20x", $"/synth/r-{run}", $"/pipe/r-{run}"];
        foreach (var url in urls)
        {
            await _varnish.GetAsync(url);
        }

        await Eventually.AssertAsync(() => Contains(binary, urls[^1]), Patience, "the pipe in the binary log");
        await binaryLog.StopAsync(TimeSpan.FromSeconds(10));
        var file = ReadShared(binary);

        // The same file as varnishlog prints it, record by record (-g raw): the text reader and the binary reader
        // must see the same records and build the same requests from them, every field and header.
        var raw = await ProgramRun.CheckedAsync("varnishlog", ["-g", "raw", "-r", binary], Patience);
        var fromText = LogRun.Of(raw);
        var fromBinary = BinaryRun(file, file.Length);
        Assert.Equal(LogFormat.Raw, fromText.Assembler.Format);
        Assert.Equal(LogFormat.Binary, fromBinary.Assembler.Format);
        Assert.Equal(raw.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, fromBinary.Assembler.Counters.Lines);
        Assert.Equal(0, fromBinary.Assembler.Counters.MalformedLines);
        Assert.Equal(Describe(fromText), Describe(fromBinary));
        // As a set: the order of requests in the log is the order they ended, not a property of the reader.
        Assert.Equal(urls.Order(StringComparer.Ordinal), fromBinary.Requests.Select(r => r.Url).Where(u => u.Contains($"r-{run}", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Contains(fromBinary.Requests, r => r.Url == urls[2] && r.Handling == Handling.Pass && r.RequestHeaders.Contains("User-Agent: vlogdump-test/1.0"));

        // Read in pieces that cut records anywhere: the same requests.
        foreach (var piece in new[] { 1, 7, 4096 })
        {
            Assert.Equal(Describe(fromBinary), Describe(BinaryRun(file, piece)));
        }

        // The command, from the file and from a pipe (varnishlog -w - | opskit vlogdump): the same entries.
        var viaFile = Entries(await Opskit(["vlogdump", binary, "--format", "json", "--no-summary"]));
        var (dotnet, dll) = RepoPaths.OpskitCommand();
        var viaPipe = Entries(await ProgramRun.CheckedAsync("sh", ["-c", "cat \"$0\" | \"$1\" \"$2\" vlogdump --format json --no-summary", binary, dotnet, dll[0]], Patience));
        Assert.Equal(fromBinary.Requests.Count, viaFile.Length);
        Assert.Equal(viaFile, viaPipe);
    }

    private static string[] Entries(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{')).ToArray();

    [Fact]
    public async Task Follow_mode_prints_requests_as_they_finish_and_the_summary_on_SIGTERM()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        await using var follow = RepoPaths.StartOpskit(["vlogdump", "--varnishlog", "-n", _varnish.WorkDirectory, "--format", "tsv"]);
        var url = $"/synth/follow-{run}";
        await Eventually.AssertAsync(async () =>
        {
            await _varnish.GetAsync(url);
            return follow.Output.Contains(url, StringComparison.Ordinal);
        }, Patience, "a request shown while varnishlog runs");
        Assert.Contains($"GET\t{url}\tHTTP/1.1\tsynth\t418\tSynthetic teapot", follow.Output, StringComparison.Ordinal);

        follow.Terminate();
        Assert.True(await follow.WaitForExitAsync(Patience), "opskit vlogdump did not stop on SIGTERM:\n" + follow.Output);
        await follow.WaitForExitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, follow.ExitCode);
        Assert.Contains("requests shown", follow.Output, StringComparison.Ordinal);
        Assert.Contains("(4.x-7.x grouped)", follow.Output, StringComparison.Ordinal);
    }

    private static async Task<string> Opskit(string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var process = RepoPaths.StartOpskit(arguments, environment);
        Assert.True(await process.WaitForExitAsync(Patience), process.Output);
        await process.WaitForExitAsync(TimeSpan.FromSeconds(5));
        Assert.True(process.ExitCode == 0, $"opskit {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{process.Output}");
        return process.Output;
    }

    /// <summary>Reads a binary log handing the reader <paramref name="piece"/> more bytes at a time.</summary>
    private static LogRun BinaryRun(byte[] file, int piece)
    {
        var run = new LogRun();
        var layout = VslBinaryReader.Detect(file);
        Assert.NotEqual(VslBinaryLayout.Unknown, layout);
        var reader = new VslBinaryReader(layout, run.Assembler);
        var records = file.AsSpan(VslBinaryReader.HeaderBytes);
        Assert.Null(reader.Verify(records));
        var consumed = 0;
        for (var end = Math.Min(piece, records.Length); ; end = Math.Min(end + piece, records.Length))
        {
            consumed += reader.Decode(records[consumed..end]);
            if (end == records.Length)
            {
                break;
            }
        }

        reader.Complete(records.Length - consumed);
        return run;
    }

    private static string[] Describe(LogRun run) =>
        run.Requests.Select(r => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{r.Vxid}|{r.Client}|{r.RemoteIp}|{r.Method}|{r.Url}|{r.Protocol}|{r.Handling}|{r.Status}|{r.Reason}|{r.TotalMs:R}|{r.ProcessMs:R}|{r.StartTime:R}|{r.BodyBytes}|{string.Join('\n', r.RequestHeaders)}|{string.Join('\n', r.ResponseHeaders)}")).ToArray();

    private static string[] Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).Where(l => l.Contains(" - - [", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();

    private static byte[] ReadShared(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static bool Contains(string path, string text) => ReadShared(path).AsSpan().IndexOf(Encoding.ASCII.GetBytes(text)) >= 0;
}
