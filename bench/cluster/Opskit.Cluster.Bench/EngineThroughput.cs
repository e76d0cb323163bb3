using System.Diagnostics;
using Opskit.Cluster.Diagnostics;
using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Bench;

/// <summary>In-process throughput of the ONNX session: the ceiling any HTTP front can reach.</summary>
internal static class EngineThroughput
{
    /// <summary>
    /// Sentences per second at <paramref name="batchSize"/>. Pre-tokenized runs (the ceiling) take the titles
    /// sorted by length, so consecutive batches pad as little as possible: the best case for the session.
    /// With <paramref name="tokenize"/> the tokenizer is inside the loop and titles come in file order.
    /// </summary>
    public static double Measure(EmbeddingModel model, string[] titles, int batchSize, TimeSpan duration, bool tokenize)
    {
        var pretokenized = titles.Select(t => model.Tokenize(t)).ToArray();
        if (!tokenize)
        {
            Array.Sort(pretokenized, static (a, b) => a.Length.CompareTo(b.Length));
        }

        var batch = new int[batchSize][];
        var output = new float[batchSize * model.Dimension];
        var next = 0;
        long done = 0;
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < stopAt && done < 10_000_000)
        {
            for (var i = 0; i < batchSize; i++)
            {
                var index = next++ % titles.Length;
                batch[i] = tokenize ? model.Tokenize(titles[index]) : pretokenized[index];
            }

            model.Embed(batch, output);
            done += batchSize;
        }

        return done / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>Median duration of one-sentence calls, each after <paramref name="gap"/> of sleep (0: back to back).</summary>
    public static double MedianCallAfterGap(EmbeddingModel model, string[] titles, TimeSpan gap, int calls, bool busy = false)
    {
        var tokens = titles.Select(t => model.Tokenize(t)).ToArray();
        var output = new float[model.Dimension];
        var batch = new int[1][];
        var durations = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            if (gap > TimeSpan.Zero && busy)
            {
                var until = Stopwatch.GetTimestamp() + (long)(gap.TotalSeconds * Stopwatch.Frequency);
                while (Stopwatch.GetTimestamp() < until)
                {
                    Thread.SpinWait(20);
                }
            }
            else if (gap > TimeSpan.Zero)
            {
                Thread.Sleep(gap);
            }

            batch[0] = tokens[i % tokens.Length];
            var began = Stopwatch.GetTimestamp();
            model.Embed(batch, output);
            durations[i] = Stopwatch.GetElapsedTime(began).TotalMilliseconds;
        }

        Array.Sort(durations);
        return durations[calls / 2];
    }

    /// <summary>
    /// Like <see cref="Measure"/> (pre-tokenized, length-sorted) but with <paramref name="callers"/> threads
    /// calling the one shared session at once: the ceiling for several single-threaded batch workers.
    /// </summary>
    public static double MeasureParallel(EmbeddingModel model, string[] titles, int batchSize, int callers, TimeSpan duration)
    {
        var pretokenized = titles.Select(t => model.Tokenize(t)).ToArray();
        Array.Sort(pretokenized, static (a, b) => a.Length.CompareTo(b.Length));
        long done = 0;
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var threads = Enumerable.Range(0, callers).Select(c => new Thread(() =>
        {
            var batch = new int[batchSize][];
            var output = new float[batchSize * model.Dimension];
            var next = c * batchSize;
            while (Stopwatch.GetTimestamp() < stopAt && Interlocked.Read(ref done) < 10_000_000)
            {
                for (var i = 0; i < batchSize; i++)
                {
                    batch[i] = pretokenized[next++ % pretokenized.Length];
                }

                model.Embed(batch, output);
                Interlocked.Add(ref done, batchSize);
            }
        })).ToArray();
        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }

        return done / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>The service's engine without HTTP: 64-sentence requests through the batcher (tokenize, sort by length, embed).</summary>
    public static async Task<double> MeasureBatcherAsync(EmbeddingModel model, string[] titles, int requestSize, TimeSpan duration)
    {
        using var metrics = new ClusterMetrics();
        await using var batcher = new EmbeddingBatcher(model, new BatcherOptions(), metrics);
        var request = new string[requestSize];
        var next = 0;
        long done = 0;
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < stopAt && done < 10_000_000)
        {
            for (var i = 0; i < requestSize; i++)
            {
                request[i] = titles[next++ % titles.Length];
            }

            var job = batcher.Enqueue(request, CancellationToken.None);
            await job.Completion;
            job.Release();
            done += requestSize;
        }

        return done / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
