using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Bench;

/// <summary>
/// Where a model call spends its time, per operator type, at several batch sizes: ONNX Runtime's own
/// profiler on a single-threaded session (what each batch worker runs), titles sorted by length as the
/// batcher sorts them. It also counts the floating-point work of every MatMul/Gemm from the shapes the
/// profiler records, so the report can say how close each batch size runs to the core's peak, which is
/// the bound on what batching can gain.
/// </summary>
internal static class OperatorProfile
{
    public static void Run(ModelFiles files, string[] titles, int[] batchSizes, int sentencesPerSize)
    {
        var tokenizer = WordPieceTokenizer.Create(files.Tokenizer);
        var tokenized = titles.Select(t => Encode(tokenizer, t)).OrderBy(t => t.Length).ToArray();
        var meanTokens = tokenized.Average(t => t.Length);
        Console.WriteLine($"{tokenized.Length} titles, {meanTokens:F1} tokens on average with [CLS] and [SEP] (min {tokenized[0].Length}, max {tokenized[^1].Length})");
        foreach (var batchSize in batchSizes)
        {
            var prefix = Path.Combine(Path.GetTempPath(), $"opskit-ort-profile-{Environment.ProcessId}-{batchSize}");
            using var options = new SessionOptions
            {
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            // The prefix must be set before profiling is switched on, which is when ONNX Runtime reads it.
            options.ProfileOutputPathPrefix = prefix;
            options.EnableProfiling = true;
            using var session = new InferenceSession(files.Onnx, options);

            // Warm up, then measure a fixed number of sentences; the report skips the warm-up's calls.
            var (warmup, _, _) = RunBatches(session, tokenized, batchSize, Math.Min(256, sentencesPerSize));
            var started = Stopwatch.GetTimestamp();
            var (sentences, tokens, padded) = RunBatches(session, tokenized, batchSize, sentencesPerSize);
            var wall = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var path = session.EndProfiling();
            try
            {
                Report(path, batchSize, (int)(warmup / batchSize), sentences, tokens, padded, wall);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    private static int[] Encode(WordPieceTokenizer tokenizer, string text)
    {
        var buffer = new int[256];
        var count = tokenizer.Encode(text, buffer);
        return buffer[..count];
    }

    private static (long Sentences, long Tokens, long Padded) RunBatches(InferenceSession session, int[][] tokenized, int batchSize, int sentences)
    {
        long done = 0, tokens = 0, padded = 0;
        var next = 0;
        using var runOptions = new RunOptions();
        while (done < sentences)
        {
            var batch = new int[batchSize][];
            for (var i = 0; i < batchSize; i++)
            {
                batch[i] = tokenized[next++ % tokenized.Length];
            }

            var sequence = batch.Max(b => b.Length);
            var ids = new long[batchSize * sequence];
            var mask = new long[batchSize * sequence];
            for (var row = 0; row < batchSize; row++)
            {
                for (var t = 0; t < batch[row].Length; t++)
                {
                    ids[(row * sequence) + t] = batch[row][t];
                    mask[(row * sequence) + t] = 1;
                }

                tokens += batch[row].Length;
            }

            long[] shape = [batchSize, sequence];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
            using var typesValue = OrtValue.CreateTensorValueFromMemory(new long[batchSize * sequence], shape);
            using var outputs = session.Run(runOptions, ["input_ids", "attention_mask", "token_type_ids"], [idsValue, maskValue, typesValue], ["last_hidden_state"]);
            done += batchSize;
            padded += batchSize * sequence;
        }

        return (done, tokens, padded);
    }

    private static void Report(string path, int batchSize, int warmupCalls, long sentences, long tokens, long padded, double wallMs)
    {
        using var trace = JsonDocument.Parse(File.ReadAllText(path));
        var byOperator = new Dictionary<string, (double Microseconds, double Flops)>(StringComparer.Ordinal);
        double modelMicroseconds = 0;
        var runs = 0;
        foreach (var e in trace.RootElement.EnumerateArray())
        {
            var name = e.GetProperty("name").GetString() ?? string.Empty;
            var category = e.GetProperty("cat").GetString();
            var duration = e.GetProperty("dur").GetDouble();
            if (category == "Session" && name == "model_run" && ++runs > warmupCalls)
            {
                modelMicroseconds += duration;
            }

            // Node events of a call are written before its model_run event.
            if (runs < warmupCalls || category != "Node" || !name.EndsWith("_kernel_time", StringComparison.Ordinal))
            {
                continue;
            }

            var args = e.GetProperty("args");
            var op = args.GetProperty("op_name").GetString() ?? "?";
            var flops = op is "MatMul" or "Gemm" or "FusedMatMul" or "Attention" ? MatMulFlops(args) : 0;
            byOperator.TryGetValue(op, out var sum);
            byOperator[op] = (sum.Microseconds + duration, sum.Flops + flops);
        }

        var kernels = byOperator.Values.Sum(v => v.Microseconds);
        var totalFlops = byOperator.Values.Sum(v => v.Flops);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"batch {batchSize}: {sentences} sentences, {(double)tokens / sentences:F1} tokens each, padding {(double)(padded - tokens) / padded:P1}; " +
            $"model_run {modelMicroseconds / sentences:F0} µs/sentence, kernels {kernels / sentences:F0} µs/sentence, wall {wallMs * 1000 / sentences:F0} µs/sentence; " +
            $"matrix work {totalFlops / sentences / 1e6:F0} MFLOP/sentence at {totalFlops / (byOperator.Where(p => p.Value.Flops > 0).Sum(p => p.Value.Microseconds) * 1e3):F1} GFLOP/s"));
        foreach (var (op, (microseconds, flops)) in byOperator.OrderByDescending(p => p.Value.Microseconds))
        {
            var rate = flops > 0 ? string.Create(CultureInfo.InvariantCulture, $"  {flops / (microseconds * 1e3),6:F1} GFLOP/s") : string.Empty;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {op,-28} {microseconds / sentences,8:F1} µs/sentence {microseconds / kernels,7:P1}{rate}"));
        }
    }

    /// <summary>
    /// 2·M·K·N per matrix product: M·K from the first input (leading dimensions multiply M) and N from the
    /// output. The profiler leaves out inputs that are pre-packed weights, so the output is the reliable side.
    /// </summary>
    private static double MatMulFlops(JsonElement args)
    {
        if (!args.TryGetProperty("input_type_shape", out var inputs) || inputs.GetArrayLength() < 1
            || !args.TryGetProperty("output_type_shape", out var outputs) || outputs.GetArrayLength() < 1)
        {
            return 0;
        }

        var a = Shape(inputs[0]);
        var c = Shape(outputs[0]);
        if (a.Length < 2 || c.Length < 2)
        {
            return 0;
        }

        double m = 1;
        for (var i = 0; i < a.Length - 1; i++)
        {
            m *= a[i];
        }

        return 2 * m * a[^1] * c[^1];
    }

    private static long[] Shape(JsonElement typed)
    {
        foreach (var property in typed.EnumerateObject())
        {
            return property.Value.EnumerateArray().Select(d => d.GetInt64()).ToArray();
        }

        return [];
    }
}
