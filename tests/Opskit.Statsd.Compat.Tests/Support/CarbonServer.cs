using System.Globalization;
using Opskit.Testing;

namespace Opskit.Statsd.Compat.Tests.Support;

/// <summary>
/// A real Graphite carbon-cache (Debian <c>graphite-carbon</c>) in the foreground with its own
/// carbon.conf in a temp dir: loopback only, free ports, whisper files under the temp dir, 1-second
/// retention so one flush is one point. Values are read back with <c>whisper-fetch</c>
/// (Debian <c>python3-whisper</c>).
/// </summary>
internal sealed class CarbonServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _root;
    private readonly string _whisperFetch;

    private CarbonServer(TempDirectory root, ExternalProcess process, int linePort, int picklePort, string whisperFetch)
    {
        _root = root;
        Process = process;
        LinePort = linePort;
        PicklePort = picklePort;
        _whisperFetch = whisperFetch;
    }

    /// <summary>The plaintext line receiver on 127.0.0.1.</summary>
    public int LinePort { get; }

    /// <summary>The pickle receiver on 127.0.0.1 (<c>graphiteProtocol: 'pickle'</c>).</summary>
    public int PicklePort { get; }

    public ExternalProcess Process { get; }

    public string WhisperDirectory => _root.File("whisper");

    /// <param name="extraSettings">More <c>[cache]</c> settings, one per line.</param>
    /// <param name="blacklist">Contents of blacklist.conf (regexes of metrics carbon drops after parsing; needs <c>USE_WHITELIST = True</c>).</param>
    public static async Task<CarbonServer> StartAsync(string extraSettings = "", string? blacklist = null)
    {
        var carbonCache = ExternalProgram.Require("carbon-cache", "apt: graphite-carbon");
        var whisperFetch = ExternalProgram.Require("whisper-fetch", "apt: python3-whisper");
        var root = new TempDirectory("carbon");
        var linePort = FreePort.Tcp();
        var picklePort = FreePort.Tcp();
        foreach (var dir in new[] { "whisper", "log", "pid", "lists" })
        {
            Directory.CreateDirectory(root.File(dir));
        }

        File.WriteAllText(root.File("carbon.conf"), $"""
            [cache]
            STORAGE_DIR = {root.Path}/
            LOCAL_DATA_DIR = {root.File("whisper")}/
            WHITELISTS_DIR = {root.File("lists")}/
            CONF_DIR = {root.Path}/
            LOG_DIR = {root.File("log")}/
            PID_DIR = {root.File("pid")}/
            DATABASE = whisper
            USER =
            ENABLE_TAGS = False
            MAX_CACHE_SIZE = inf
            MAX_UPDATES_PER_SECOND = 10000
            MAX_CREATES_PER_MINUTE = inf
            LINE_RECEIVER_INTERFACE = 127.0.0.1
            LINE_RECEIVER_PORT = {linePort}
            ENABLE_UDP_LISTENER = False
            PICKLE_RECEIVER_INTERFACE = 127.0.0.1
            PICKLE_RECEIVER_PORT = {picklePort}
            CACHE_QUERY_INTERFACE = 127.0.0.1
            CACHE_QUERY_PORT = {FreePort.Tcp()}
            WHISPER_AUTOFLUSH = True
            LOG_CREATES = True
            LOG_UPDATES = False
            {extraSettings}
            """);
        if (blacklist is not null)
        {
            File.WriteAllText(root.File("blacklist.conf"), blacklist + "\n");
        }

        File.WriteAllText(root.File("storage-schemas.conf"), """
            [everything]
            pattern = .*
            retentions = 1s:10m

            """);

        var process = ExternalProcess.Start(carbonCache, [$"--config={root.File("carbon.conf")}", "--nodaemon", "start"], workingDirectory: root.Path);
        var server = new CarbonServer(root, process, linePort, picklePort, whisperFetch);
        try
        {
            await process.WaitForTcpPortAsync(linePort, StartTimeout);
            await process.WaitForTcpPortAsync(picklePort, StartTimeout);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Where carbon stores <paramref name="metric"/> (dots become folders).</summary>
    public string WhisperFile(string metric) =>
        Path.Combine(WhisperDirectory, Path.Combine(metric.Split('.'))) + ".wsp";

    /// <summary>The non-empty points of <paramref name="metric"/> in the last ten minutes, read with whisper-fetch.</summary>
    public async Task<IReadOnlyList<(long Timestamp, double Value)>> FetchAsync(string metric)
    {
        var file = WhisperFile(metric);
        if (!File.Exists(file))
        {
            return [];
        }

        var from = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600;
        var (exitCode, output) = await ProgramRun.RunAsync(_whisperFetch, [$"--from={from}", file], TimeSpan.FromSeconds(30));
        if (exitCode != 0)
        {
            return []; // e.g. the file exists but carbon has not written its header yet: ask again
        }

        var points = new List<(long, double)>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('\t', ' ');
            if (parts.Length == 2
                && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var ts)
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                points.Add((ts, value));
            }
        }

        return points;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Process.DisposeAsync();
        }
        finally
        {
            _root.Dispose();
        }
    }
}
