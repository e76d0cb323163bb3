using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Opskit.Cluster.Bench;
using Opskit.Cluster.Embeddings;

// Side-by-side benchmark of opskit cluster; see bench/cluster/README.md. Everything runs on loopback,
// every load loop is bounded in time and count, and every process started here is killed by PID.
// The machine is shared and noisy, so each measurement runs once per round, rounds interleave all
// contenders, and the report gives medians over rounds and medians of per-round ratios.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;

// The "text" of every line of a titles .jsonl file (the labeled sets' format).
static string[] ReadTitles(string path) => File.ReadLines(path).Where(l => l.Length > 0).Select(l =>
{
    using var line = JsonDocument.Parse(l);
    return line.RootElement.GetProperty("text").GetString()!;
}).ToArray();

if (args.Length >= 2 && args[0] == "export-model")
{
    ModelFolderWriter.Write(args[1], new MiniLmResources().Load(), MiniLmResources.Architecture());
    return 0;
}

if (args.Length >= 1 && args[0] == "raw")
{
    // Raw ONNX only, in a fresh process: raw TITLES_JSONL THREADS BATCH... [--spin] [--callers N], 5 s per batch size.
    var rawTitles = ReadTitles(args[1]);
    using var rawModel = new EmbeddingModel(new MiniLmResources().Load(), new EmbeddingModelOptions { IntraOpThreads = int.Parse(args[2], CultureInfo.InvariantCulture), AllowSpinning = args.Contains("--spin") });
    var callersAt = Array.IndexOf(args, "--callers");
    var callers = callersAt > 0 ? int.Parse(args[callersAt + 1], CultureInfo.InvariantCulture) : 1;
    foreach (var b in args.Skip(3).Where((a, i) => a != "--spin" && a != "--callers" && i + 3 != callersAt + 1).Select(int.Parse))
    {
        var rate = callers == 1
            ? EngineThroughput.Measure(rawModel, rawTitles, b, TimeSpan.FromSeconds(5), tokenize: false)
            : EngineThroughput.MeasureParallel(rawModel, rawTitles, b, callers, TimeSpan.FromSeconds(5));
        Console.WriteLine($"batch {b} x {callers} callers: {rate:F1}/s");
    }

    return 0;
}

if (args.Length >= 1 && args[0] == "profile")
{
    // Per-operator time and matrix GFLOP/s of a single-threaded session: profile TITLES_JSONL SENTENCES BATCH...
    var profileTitles = ReadTitles(args[1]);
    OperatorProfile.Run(new MiniLmResources().Load(), profileTitles, args.Skip(3).Select(int.Parse).ToArray(), int.Parse(args[2], CultureInfo.InvariantCulture));
    return 0;
}

if (args.Length >= 1 && args[0] == "gap")
{
    // One-sentence model calls after an idle gap, in a fresh process: gap TITLES_JSONL THREADS GAP_MS... [--spin] [--busy].
    // Shows what a lone client pays when the worker sleeps between requests.
    var gapTitles = ReadTitles(args[1]);
    using var gapModel = new EmbeddingModel(new MiniLmResources().Load(), new EmbeddingModelOptions { IntraOpThreads = int.Parse(args[2], CultureInfo.InvariantCulture), AllowSpinning = args.Contains("--spin") });
    var busy = args.Contains("--busy");
    foreach (var gap in args.Skip(3).Where(a => a is not "--spin" and not "--busy").Select(int.Parse))
    {
        var median = EngineThroughput.MedianCallAfterGap(gapModel, gapTitles, TimeSpan.FromMilliseconds(gap), calls: 200, busy);
        Console.WriteLine($"gap {gap} ms{(busy ? " (busy)" : string.Empty)}: median call {median:F2} ms");
    }

    return 0;
}

string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

var root = Path.GetFullPath(Arg("--repo", "."));
var seconds = double.Parse(Arg("--seconds", "10"), CultureInfo.InvariantCulture);
var rounds = int.Parse(Arg("--rounds", "3"), CultureInfo.InvariantCulture);
var soak = double.Parse(Arg("--soak", "0"), CultureInfo.InvariantCulture);
var serverArgs = Arg("--server-args", string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
var serverEnvironment = Arg("--server-env", string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries)
    .Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);
var duration = TimeSpan.FromSeconds(seconds);
var titlesFile = Path.Combine(root, "tests", "Opskit.Cluster.Tests", "Clustering", "data", "titles-8-topics.jsonl");
var titles = ReadTitles(titlesFile);
var work = Path.Combine(root, "artifacts", "cluster-bench");
var modelDir = Path.Combine(work, "all-MiniLM-L6-v2");
ModelFolderWriter.Write(modelDir, new MiniLmResources().Load(), MiniLmResources.Architecture());
var opskitDll = Path.Combine(root, "src", "Opskit", "bin", "Release", "net10.0", "opskit.dll");
var benchDir = Path.Combine(root, "bench", "cluster");
var samples = new SortedDictionary<string, List<double>>(StringComparer.Ordinal);
void Record(string name, double value)
{
    if (!samples.TryGetValue(name, out var list))
    {
        samples[name] = list = [];
    }

    list.Add(value);
    Console.WriteLine($"  {name,-52} {value,10:F1}");
}

double Median(string name)
{
    var sorted = samples[name].Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load {File.ReadAllText("/proc/loadavg").Trim()}");
Console.WriteLine($"{titles.Length} titles; {seconds} s per run; {rounds} rounds; opskit server args: '{string.Join(' ', serverArgs)}', environment: '{string.Join(' ', serverEnvironment.Select(e => $"{e.Key}={e.Value}"))}'");

var files = new MiniLmResources().Load();
var basePort = 18_700 + Random.Shared.Next(200);
if (args[0] == "http")
{
    // One opskit server only, for A/B of server options: http --server-args "..." [--clients 1,8,64].
    var only = Arg("--clients", "64").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
    for (var round = 1; round <= rounds; round++)
    {
        await MeasureServerAsync("opskit http", "dotnet", [opskitDll, "cluster", .. serverArgs, "--urls", $"http://127.0.0.1:{basePort + round}"], new Uri($"http://127.0.0.1:{basePort + round}"), only, 0);
    }

    return 0;
}

if (args[0] == "overload")
{
    // Issue #21's probe: overload --clients 500 --sentences 32 --requests 2 [--server-args "..."]: the default
    // admission budget against the budget switched off (--queue-budget-ms 0, the behaviour before), per round.
    var overloadClients = int.Parse(Arg("--clients", "500"), CultureInfo.InvariantCulture);
    var perRequest = int.Parse(Arg("--sentences", "32"), CultureInfo.InvariantCulture);
    var perClient = int.Parse(Arg("--requests", "2"), CultureInfo.InvariantCulture);
    for (var round = 1; round <= rounds; round++)
    {
        foreach (var (label, extra) in new[] { ("budget default", Array.Empty<string>()), ("budget off", new[] { "--queue-budget-ms", "0" }) })
        {
            var port = basePort + (round * 2) + (extra.Length == 0 ? 0 : 1);
            var address = new Uri($"http://127.0.0.1:{port}");
            await using var server = await ServerProcess.StartAsync("dotnet", [opskitDll, "cluster", .. serverArgs, .. extra, "--urls", address.ToString().TrimEnd('/')], address, TimeSpan.FromMinutes(2), serverEnvironment);
            await LoadGenerator.RunAsync(new Uri(address, "/embed"), titles, 64, TimeSpan.FromSeconds(3), null);
            var run = await OverloadRun.RunAsync(new Uri(address, "/embed"), titles, overloadClients, perRequest, perClient, TimeSpan.FromSeconds(180));
            Console.WriteLine($"round {round} {label}: {run.Clients} clients x {perClient} requests of {perRequest} sentences in {run.Seconds:F1} s: " +
                $"{run.Admitted} x 200 (p50 {run.AdmittedP50Ms:F0} ms, p99 {run.AdmittedP99Ms:F0} ms, max {run.AdmittedMaxMs:F0} ms), " +
                $"{run.Refused} x 429 (p99 {run.RefusedP99Ms:F0} ms), {run.Other} other");
        }
    }

    return 0;
}

for (var round = 1; round <= rounds; round++)
{
    Console.WriteLine($"round {round} (load {File.ReadAllText("/proc/loadavg").Trim()})");

    // 1. In-process: raw ONNX on pre-tokenized titles, the engine with tokenization, and 64-sentence
    // requests through the service's batcher. The ceiling is the best of two ways to use the cores: one
    // caller whose calls use every core (intra-op threads = cores), and one single-threaded caller per core
    // on the same session (what the service does by default), each at its best batch size.
    var cores = Environment.ProcessorCount;
    var ceiling = 0.0;
    using (var model = new EmbeddingModel(files, new EmbeddingModelOptions { IntraOpThreads = cores }))
    {
        EngineThroughput.Measure(model, titles, 8, TimeSpan.FromSeconds(1), tokenize: false);
        foreach (var batch in new[] { 1, 8, 16, 32, 64 })
        {
            var rate = EngineThroughput.Measure(model, titles, batch, duration / 4, tokenize: false);
            Record($"raw onnx {cores} threads batch {batch}", rate);
            ceiling = Math.Max(ceiling, rate);
        }

        Record("engine tokenize+embed batch 1", EngineThroughput.Measure(model, titles, 1, duration / 2, tokenize: true));
    }

    using (var model = new EmbeddingModel(files, new EmbeddingModelOptions { IntraOpThreads = 1 }))
    {
        EngineThroughput.MeasureParallel(model, titles, 8, cores, TimeSpan.FromSeconds(1));
        foreach (var batch in new[] { 1, 8, 16, 32, 64 })
        {
            var rate = EngineThroughput.MeasureParallel(model, titles, batch, cores, duration / 4);
            Record($"raw onnx {cores} callers x 1 thread batch {batch}", rate);
            ceiling = Math.Max(ceiling, rate);
        }

        Record("raw onnx ceiling (best batch this round)", ceiling);
        Record("engine via batcher, 64-sentence requests", await EngineThroughput.MeasureBatcherAsync(model, titles, 64, duration / 2));
    }

    // 2. transformers.js in-process, same weights, same titles.
    {
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(benchDir, "transformersjs-inprocess.cjs"), modelDir, titlesFile, (seconds / 2).ToString(CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }

        using var node = Process.Start(psi)!;
        var output = await node.StandardOutput.ReadToEndAsync();
        await node.WaitForExitAsync();
        var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Record("transformers.js in-process batch 1", json.GetProperty("batch1").GetDouble());
        Record("transformers.js in-process batch 64", json.GetProperty("batch64").GetDouble());
    }

    // 3. opskit over HTTP with dynamic batching, then with batching off; 4. the Node peer.
    var port = basePort + (round * 3);
    await MeasureServerAsync("opskit http", "dotnet", [opskitDll, "cluster", .. serverArgs, "--urls", $"http://127.0.0.1:{port}"], new Uri($"http://127.0.0.1:{port}"), [1, 8, 64], round == rounds ? soak : 0);
    await MeasureServerAsync("opskit http no-batching", "dotnet", [opskitDll, "cluster", .. serverArgs, "--no-batching", "--urls", $"http://127.0.0.1:{port + 1}"], new Uri($"http://127.0.0.1:{port + 1}"), [64], 0);
    await MeasureServerAsync("node http", "node", [Path.Combine(benchDir, "transformersjs-server.cjs"), modelDir, (port + 2).ToString(CultureInfo.InvariantCulture)], new Uri($"http://127.0.0.1:{port + 2}"), [1, 8, 64], 0);
}

Console.WriteLine();
Console.WriteLine($"medians over {rounds} rounds:");
foreach (var name in samples.Keys)
{
    Console.WriteLine($"  {name,-52} {Median(name),10:F1}   [{string.Join(", ", samples[name].Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))}]");
}

double RatioMedian(string numerator, string denominator)
{
    var ratios = samples[numerator].Zip(samples[denominator], (a, b) => a / b).Order().ToArray();
    return ratios.Length % 2 == 1 ? ratios[ratios.Length / 2] : (ratios[(ratios.Length / 2) - 1] + ratios[ratios.Length / 2]) / 2;
}

Console.WriteLine();
Console.WriteLine("ratios (median of per-round ratios; target in brackets):");
Console.WriteLine($"  opskit http 64 clients / raw ceiling          {RatioMedian("opskit http 64 clients sentences/s", "raw onnx ceiling (best batch this round)"):F2}  [>= 0.85]");
Console.WriteLine($"  batching on / off, 64 one-sentence clients    {RatioMedian("opskit http 64 clients sentences/s", "opskit http no-batching 64 clients sentences/s"):F2}  [>= 1.7]");
Console.WriteLine($"  opskit RSS under 64 clients / idle            {RatioMedian("opskit http 64 clients max RSS MiB", "opskit http idle RSS MiB"):F2}  [<= 1.3]");
Console.WriteLine($"  engine (batcher) / transformers.js, batch 64  {RatioMedian("engine via batcher, 64-sentence requests", "transformers.js in-process batch 64"):F2}  [>= 1.2]");
Console.WriteLine($"  engine / transformers.js, batch 1             {RatioMedian("engine tokenize+embed batch 1", "transformers.js in-process batch 1"):F2}");
Console.WriteLine($"  opskit http / node http, 64 clients           {RatioMedian("opskit http 64 clients sentences/s", "node http 64 clients sentences/s"):F2}  [>= 1.3]");
Console.WriteLine($"  p99 opskit / node, 64 clients                 {RatioMedian("opskit http 64 clients p99 ms", "node http 64 clients p99 ms"):F2}  [< 1]");
Console.WriteLine($"  RSS under 64 clients opskit / node            {RatioMedian("opskit http 64 clients max RSS MiB", "node http 64 clients max RSS MiB"):F2}  [< 1]");
Console.WriteLine($"  RSS idle opskit / node                        {RatioMedian("opskit http idle RSS MiB", "node http idle RSS MiB"):F2}");
Directory.CreateDirectory(work);
await File.WriteAllTextAsync(Path.Combine(work, $"results-{DateTime.UtcNow:yyyyMMdd-HHmm}.json"), JsonSerializer.Serialize(samples));
return 0;

async Task MeasureServerAsync(string label, string file, string[] arguments, Uri baseAddress, int[] clientCounts, double soakSeconds)
{
    await using var server = await ServerProcess.StartAsync(file, arguments, baseAddress, TimeSpan.FromMinutes(2), file == "dotnet" ? serverEnvironment : null);
    var embed = new Uri(baseAddress, "/embed");
    // Warm-up with the largest client count: connections, JIT tiers and ONNX Runtime buffers for batch shapes.
    await LoadGenerator.RunAsync(embed, titles, clientCounts.Max(), TimeSpan.FromSeconds(3), null);
    // Idle RSS is read after the warm-up's connections close and the background GC has run: a
    // settle time, not a wait for a condition (RSS has no "done" state to poll for).
    await Task.Delay(2000);
    Record($"{label} idle RSS MiB", Rss.Kib(server.Pid) / 1024.0);
    foreach (var clients in clientCounts)
    {
        var run = await LoadGenerator.RunAsync(embed, titles, clients, duration, server.Pid);
        Record($"{label} {clients} clients sentences/s", run.SentencesPerSecond);
        Record($"{label} {clients} clients p50 ms", run.P50Ms);
        Record($"{label} {clients} clients p99 ms", run.P99Ms);
        Record($"{label} {clients} clients max RSS MiB", run.MaxRssKib / 1024.0);
        if (run.Errors > 0)
        {
            Record($"{label} {clients} clients errors", run.Errors);
        }
    }

    // Minutes of 64 clients: RSS must level off, not keep growing.
    for (var elapsed = 0.0; elapsed < soakSeconds; elapsed += 30)
    {
        var slice = await LoadGenerator.RunAsync(embed, titles, 64, TimeSpan.FromSeconds(Math.Min(30, soakSeconds - elapsed)), server.Pid);
        Console.WriteLine($"  soak {label} t={elapsed + 30,4:F0}s: {slice.SentencesPerSecond:F1} sentences/s, max RSS {slice.MaxRssKib / 1024.0:F1} MiB");
    }
}
