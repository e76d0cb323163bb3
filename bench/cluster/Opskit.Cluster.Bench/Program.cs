using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Opskit.Cluster.Bench;
using Opskit.Cluster.Embeddings;

// Side-by-side benchmark of opskit cluster; see bench/cluster/README.md. Everything runs on loopback,
// every load loop is bounded in time and count, and every process started here is killed by PID.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length >= 2 && args[0] == "export-model")
{
    ModelExport.Write(args[1]);
    return 0;
}

string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

var root = Path.GetFullPath(Arg("--repo", "."));
var seconds = double.Parse(Arg("--seconds", "15"), CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(seconds);
var shared = Environment.GetEnvironmentVariable("OPSKIT_SHARED_DATA") ?? Path.GetFullPath(Path.Combine(root, "..", "shared", "data"));
var titlesFile = Path.Combine(shared, "cluster", "titles-8-topics.jsonl");
var titles = File.ReadLines(titlesFile).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!).ToArray();
var work = Path.Combine(root, "artifacts", "cluster-bench");
var modelDir = Path.Combine(work, "all-MiniLM-L6-v2");
ModelExport.Write(modelDir);
var opskitDll = Path.Combine(root, "src", "Opskit", "bin", "Release", "net10.0", "opskit.dll");
var benchDir = Path.Combine(root, "bench", "cluster");
var results = new Dictionary<string, object>();
void Report(string name, object value)
{
    results[name] = value;
    Console.WriteLine($"{name,-40} {JsonSerializer.Serialize(value)}");
}

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {titles.Length} titles; {seconds} s per run");

// 1. In-process ONNX ceiling (pre-tokenized) and the engine with tokenization, several batch sizes.
var quick = args.Contains("--http-only");
var files = new MiniLmResources().Load();
var ceiling = 0.0;
foreach (var spinning in quick ? [false] : new[] { false, true })
{
    using var model = new EmbeddingModel(files, new EmbeddingModelOptions { AllowSpinning = spinning });
    EngineThroughput.Measure(model, titles, 8, TimeSpan.FromSeconds(2), tokenize: false);
    foreach (var batch in quick ? [64] : new[] { 1, 8, 16, 32, 64, 128 })
    {
        var rate = EngineThroughput.Measure(model, titles, batch, duration / 2, tokenize: false);
        Report($"raw onnx batch {batch}{(spinning ? " spinning" : string.Empty)}", Math.Round(rate, 1));
        ceiling = Math.Max(ceiling, rate);
    }

    if (!spinning && !quick)
    {
        Report("engine (tokenize+embed) batch 1", Math.Round(EngineThroughput.Measure(model, titles, 1, duration / 2, tokenize: true), 1));
        Report("engine (tokenize+embed) batch 64", Math.Round(EngineThroughput.Measure(model, titles, 64, duration / 2, tokenize: true), 1));
        Report("engine via batcher, 64-sentence requests", Math.Round(await EngineThroughput.MeasureBatcherAsync(model, titles, 64, duration / 2), 1));
    }
}

results["ceiling"] = ceiling;
Report("raw onnx ceiling (best batch)", Math.Round(ceiling, 1));

// 2. transformers.js in-process, same weights, same titles.
if (quick)
{
    var (quickRuns, quickIdle) = await MeasureServerAsync("opskit http", "dotnet", [opskitDll, "cluster", .. Arg("--server-args", string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries), "--urls", "http://127.0.0.1:18690"], new Uri("http://127.0.0.1:18690"), [1, 64]);
    Console.WriteLine($"  opskit http 64 clients / raw batch 64       {quickRuns[^1].SentencesPerSecond / ceiling:F2}; RSS load/idle {(double)quickRuns[^1].MaxRssKib / quickIdle:F2}");
    return 0;
}

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
    Report("transformers.js in-process batch 1", Math.Round(json.GetProperty("batch1").GetDouble(), 1));
    Report("transformers.js in-process batch 64", Math.Round(json.GetProperty("batch64").GetDouble(), 1));
}

async Task<(LoadResult[] Runs, long IdleRss)> MeasureServerAsync(string label, string file, string[] arguments, Uri baseAddress, int[] clientCounts)
{
    await using var server = await ServerProcess.StartAsync(file, arguments, baseAddress, TimeSpan.FromMinutes(2));
    var embed = new Uri(baseAddress, "/embed");
    await LoadGenerator.RunAsync(embed, titles, 4, TimeSpan.FromSeconds(2), null);
    await Task.Delay(2000);
    var idle = Rss.Kib(server.Pid);
    Report($"{label} RSS idle MiB", Math.Round(idle / 1024.0, 1));
    var runs = new List<LoadResult>();
    foreach (var clients in clientCounts)
    {
        var run = await LoadGenerator.RunAsync(embed, titles, clients, duration, server.Pid);
        Report($"{label} {clients} clients", new { sps = Math.Round(run.SentencesPerSecond, 1), p50_ms = Math.Round(run.P50Ms, 1), p99_ms = Math.Round(run.P99Ms, 1), run.Errors, max_rss_mib = Math.Round(run.MaxRssKib / 1024.0, 1) });
        runs.Add(run);
    }

    var soak = double.Parse(Arg("--soak", "0"), CultureInfo.InvariantCulture);
    if (soak > 0 && label == "opskit http")
    {
        // Minutes of 64 clients: RSS must level off, not keep growing.
        var slices = new List<double>();
        for (var elapsed = 0.0; elapsed < soak; elapsed += 30)
        {
            var slice = await LoadGenerator.RunAsync(embed, titles, 64, TimeSpan.FromSeconds(Math.Min(30, soak - elapsed)), server.Pid);
            slices.Add(Math.Round(slice.MaxRssKib / 1024.0, 1));
        }

        Report($"{label} soak 64 clients max RSS MiB per 30 s", slices);
    }

    return ([.. runs], idle);
}

// 3. Opskit over HTTP with dynamic batching, then with batching off.
var serverArgs = Arg("--server-args", string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
var port = 18_700 + Random.Shared.Next(200);
var (opskitRuns, opskitIdle) = await MeasureServerAsync("opskit http", "dotnet", [opskitDll, "cluster", .. serverArgs, "--urls", $"http://127.0.0.1:{port}"], new Uri($"http://127.0.0.1:{port}"), [1, 8, 64]);
var (offRuns, _) = await MeasureServerAsync("opskit http no-batching", "dotnet", [opskitDll, "cluster", .. serverArgs, "--no-batching", "--urls", $"http://127.0.0.1:{port + 1}"], new Uri($"http://127.0.0.1:{port + 1}"), [64]);

// 4. The Node peer: HTTP server with one transformers.js worker thread.
var (nodeRuns, nodeIdle) = await MeasureServerAsync("node http", "node", [Path.Combine(benchDir, "transformersjs-server.cjs"), modelDir, (port + 2).ToString(CultureInfo.InvariantCulture)], new Uri($"http://127.0.0.1:{port + 2}"), [1, 8, 64]);

var ceilingRate = (double)results["ceiling"];
var o64 = opskitRuns[^1];
var n64 = nodeRuns[^1];
Console.WriteLine();
Console.WriteLine("ratios (target in brackets):");
Console.WriteLine($"  opskit http 64 clients / raw ceiling        {o64.SentencesPerSecond / ceilingRate:F2}  [>= 0.85]");
Console.WriteLine($"  batching on / off, 64 one-sentence clients  {o64.SentencesPerSecond / offRuns[0].SentencesPerSecond:F2}  [>= 1.7]");
Console.WriteLine($"  opskit RSS under 64 clients / idle          {(double)o64.MaxRssKib / opskitIdle:F2}  [<= 1.3]");
var engine64 = (double)results["engine via batcher, 64-sentence requests"];
var tjs64 = (double)results["transformers.js in-process batch 64"];
var engine1 = (double)results["engine (tokenize+embed) batch 1"];
var tjs1 = (double)results["transformers.js in-process batch 1"];
Console.WriteLine($"  engine (batcher) / transformers.js, b 64    {engine64 / tjs64:F2}  [>= 1.2]");
Console.WriteLine($"  engine / transformers.js, batch 1           {engine1 / tjs1:F2}");
Console.WriteLine($"  opskit http / node http, 64 clients         {o64.SentencesPerSecond / n64.SentencesPerSecond:F2}  [>= 1.3]");
Console.WriteLine($"  p99 opskit / node, 64 clients               {o64.P99Ms / n64.P99Ms:F2}  [< 1]");
Console.WriteLine($"  RSS under load opskit / node                {(double)o64.MaxRssKib / n64.MaxRssKib:F2}  [< 1]  (idle: {opskitIdle / 1024.0:F0} vs {nodeIdle / 1024.0:F0} MiB)");
Directory.CreateDirectory(work);
await File.WriteAllTextAsync(Path.Combine(work, $"results-{DateTime.UtcNow:yyyyMMdd-HHmm}.json"), JsonSerializer.Serialize(results));
return 0;
