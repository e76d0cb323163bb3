using System.Globalization;
using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Protocol;

namespace Opskit.Benchmarks.Statsd;

/// <summary>
/// Per-line CPU time of the statsd hot paths, measured with the thread CPU clocks (on a shared 2-core machine
/// wall time mostly measures the neighbours; CPU time measures us). Printed once per benchmark process as
/// <c>// statsd cpu: ...</c> lines: the parser alone, parse+aggregate on one thread, and parse → hand-off
/// blocks → shard worker thread split into the receive loop's and the shard worker's share. Linux only.
/// </summary>
internal static class StatsdCpuProbe
{
    private const int Rounds = 60;

    public static void Report()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var workload = StatsdWorkload.Packets(4096);
        var blasterMix = StatsdWorkload.BlasterPackets(4096);

        // Warm up first: the tiered JIT needs a while (and a background compile) to reach the optimized code.
        var warm = System.Diagnostics.Stopwatch.StartNew();
        while (warm.Elapsed < TimeSpan.FromSeconds(2))
        {
            Report("warm-up", workload, print: false);
            Report("warm-up", blasterMix, print: false);
        }

        Report("workload", workload, print: true);
        Report("blaster-mix", blasterMix, print: true);
    }

    private static void Report(string name, byte[][] packets, bool print)
    {
        var lines = packets.Length * StatsdWorkload.LinesPerPacket;
        var parser = new StatsdLineParser();

        var (parseBest, parse) = BestAndMedian(Rounds, () =>
        {
            var sink = new CountingSink();
            foreach (var packet in packets)
            {
                parser.ParsePacket(packet, ref sink);
            }
        }, lines);

        var shard = new MetricShard();
        var (directBest, direct) = BestAndMedian(Rounds, () =>
        {
            var sink = new DirectShardSink(shard);
            foreach (var packet in packets)
            {
                parser.ParsePacket(packet, ref sink);
            }

            shard.ResetIntervalValues();
        }, lines);

        // Two shards, as the daemon runs on this 2-core machine (one per core): the receive loop picks a shard per line.
        var aggregator = new Aggregator(2, new AggregationSettings(), new ReceiveStatistics(0));
        var router = aggregator.CreateRouter();
        var receive = new double[Rounds];
        var worker = new double[Rounds];
        for (var r = -3; r < Rounds; r++)
        {
            var worker0 = ShardWorkerNanoseconds();
            var start = ThreadCpuNanoseconds();
            var sink = router.CreateSink();
            for (var i = 0; i < packets.Length; i++)
            {
                parser.ParsePacket(packets[i], ref sink);
                if ((i & 31) == 31)
                {
                    router.Commit(0);
                }
            }

            router.Commit(0);
            var end = ThreadCpuNanoseconds();
            aggregator.OnEveryShardAsync(static s => s.ResetIntervalValues(), CancellationToken.None).GetAwaiter().GetResult();
            if (r >= 0)
            {
                receive[r] = (end - start) / (double)lines;
                worker[r] = (ShardWorkerNanoseconds() - worker0) / (double)lines;
            }
        }

        aggregator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Array.Sort(receive);
        Array.Sort(worker);
        if (!print)
        {
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// statsd cpu ({name}, {lines} lines/round, median (best) of {Rounds}): parser {parse:F1} ({parseBest:F1}) ns/line; parse+aggregate {direct:F1} ({directBest:F1}) ns/line = {1000 / direct:F2} M lines/s per core; through router: receive loop {receive[Rounds / 2]:F1} ({receive[0]:F1}) ns/line + shard workers {worker[Rounds / 2]:F1} ({worker[0]:F1}) ns/line"));
    }

    private static (double Best, double Median) BestAndMedian(int rounds, Action body, int lines)
    {
        body();
        body();
        var times = new double[rounds];
        for (var i = 0; i < rounds; i++)
        {
            var start = ThreadCpuNanoseconds();
            body();
            times[i] = (ThreadCpuNanoseconds() - start) / (double)lines;
        }

        Array.Sort(times);
        return (times[0], times[rounds / 2]);
    }

    public static long ThreadCpuNanoseconds()
    {
        var ts = default(Timespec);
        _ = ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, ref ts);
        return (ts.Seconds * 1_000_000_000) + ts.Nanoseconds;
    }

    /// <summary>CPU nanoseconds of this process's shard worker threads (schedstat: first field, ns on CPU).</summary>
    private static long ShardWorkerNanoseconds()
    {
        long total = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith("statsd-shard", StringComparison.Ordinal))
                {
                    var schedstat = File.ReadAllText(Path.Combine(task, "schedstat"));
                    total += long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // The thread ended between listing and reading.
            }
        }

        return total;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, ref Timespec ts);

    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
