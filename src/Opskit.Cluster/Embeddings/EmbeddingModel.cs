using System.Buffers;
using Microsoft.ML.OnnxRuntime;

namespace Opskit.Cluster.Embeddings;

/// <summary>
/// The one ONNX Runtime session of the process plus its tokenizer. <see cref="Embed"/> may be called
/// from several threads at once (ONNX Runtime sessions are thread-safe for <c>Run</c>); the batcher
/// normally calls it from one worker so each batch gets every intra-op thread.
/// </summary>
internal sealed class EmbeddingModel : IDisposable
{
    private const string HiddenStateOutput = "last_hidden_state";

    private readonly InferenceSession _session;
    private readonly bool _hasTokenTypes;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames = [HiddenStateOutput];
    private readonly Pooling _pooling;

    public EmbeddingModel(ModelFiles files, EmbeddingModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        ModelId = files.ModelId;
        MaxTokens = options.MaxTokens ?? files.Limits.Resolve(files.Tokenizer.TruncationMaxLength);
        _pooling = options.Pooling ?? files.Pooling;
        Tokenizer = WordPieceTokenizer.Create(files.Tokenizer);
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        _session = new InferenceSession(files.Onnx, sessionOptions);
        if (!_session.OutputMetadata.TryGetValue(HiddenStateOutput, out var hidden))
        {
            throw new InvalidDataException($"the model has no '{HiddenStateOutput}' output (outputs: {string.Join(", ", _session.OutputMetadata.Keys)})");
        }

        Dimension = hidden.Dimensions[^1];
        _hasTokenTypes = _session.InputMetadata.ContainsKey("token_type_ids");
        _inputNames = _hasTokenTypes ? ["input_ids", "attention_mask", "token_type_ids"] : ["input_ids", "attention_mask"];
    }

    public string ModelId { get; }

    public int Dimension { get; }

    /// <summary>Sequence length limit including <c>[CLS]</c> and <c>[SEP]</c>.</summary>
    public int MaxTokens { get; }

    public WordPieceTokenizer Tokenizer { get; }

    /// <summary>Tokenizes with truncation to <see cref="MaxTokens"/>; returns a new id array of exact length.</summary>
    public int[] Tokenize(ReadOnlySpan<char> text)
    {
        var buffer = ArrayPool<int>.Shared.Rent(MaxTokens);
        try
        {
            var count = Tokenizer.Encode(text, buffer.AsSpan(0, MaxTokens));
            return buffer.AsSpan(0, count).ToArray();
        }
        finally
        {
            ArrayPool<int>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Embeds a batch of tokenized sentences (right-padded to the longest) and writes one L2-normalized
    /// vector per sentence into <paramref name="output"/> (row-major, <see cref="Dimension"/> wide). When
    /// <paramref name="norms"/> is given it receives each pooled vector's L2 norm before normalization, so a
    /// caller can return the raw pooled vector (<c>normalize: false</c>) as vector × norm.
    /// </summary>
    public void Embed(ReadOnlySpan<int[]> batch, Span<float> output, Span<float> norms = default)
    {
        var count = batch.Length;
        if (count == 0)
        {
            return;
        }

        if (output.Length < count * Dimension)
        {
            throw new ArgumentException("output is too small for the batch", nameof(output));
        }

        var sequence = 0;
        foreach (var ids in batch)
        {
            sequence = Math.Max(sequence, ids.Length);
        }

        var cells = count * sequence;
        var hiddenCells = cells * Dimension;
        var inputIds = ArrayPool<long>.Shared.Rent(cells);
        var mask = ArrayPool<long>.Shared.Rent(cells);
        var types = ArrayPool<long>.Shared.Rent(cells);
        // The [batch, sequence, dimension] output goes into a pooled managed buffer bound as the output,
        // so ONNX Runtime does not malloc and free megabytes per batch (which fragmented glibc's arenas
        // and grew RSS under sustained load).
        var hiddenBuffer = ArrayPool<float>.Shared.Rent(hiddenCells);
        try
        {
            Array.Clear(inputIds, 0, cells);
            Array.Clear(mask, 0, cells);
            Array.Clear(types, 0, cells);
            for (var row = 0; row < count; row++)
            {
                var ids = batch[row];
                var offset = row * sequence;
                for (var t = 0; t < ids.Length; t++)
                {
                    inputIds[offset + t] = ids[t];
                    mask[offset + t] = 1;
                }
            }

            long[] shape = [count, sequence];
            long[] hiddenShape = [count, sequence, Dimension];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, inputIds.AsMemory(0, cells), shape);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, mask.AsMemory(0, cells), shape);
            using var typesValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, types.AsMemory(0, cells), shape);
            using var hiddenValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, hiddenBuffer.AsMemory(0, hiddenCells), hiddenShape);
            OrtValue[] inputs = _hasTokenTypes ? [idsValue, maskValue, typesValue] : [idsValue, maskValue];
            using var runOptions = new RunOptions();
            _session.Run(runOptions, _inputNames, inputs, _outputNames, [hiddenValue]);
            Pool(batch, hiddenBuffer.AsSpan(0, hiddenCells), sequence, output, norms);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(inputIds);
            ArrayPool<long>.Shared.Return(mask);
            ArrayPool<long>.Shared.Return(types);
            ArrayPool<float>.Shared.Return(hiddenBuffer);
        }
    }

    public void Dispose() => _session.Dispose();

    private void Pool(ReadOnlySpan<int[]> batch, ReadOnlySpan<float> hidden, int sequence, Span<float> output, Span<float> norms)
    {
        var dimension = Dimension;
        for (var row = 0; row < batch.Length; row++)
        {
            var vector = output.Slice(row * dimension, dimension);
            vector.Clear();
            var tokens = batch[row].Length;
            var rowStart = row * sequence * dimension;
            if (_pooling == Pooling.Cls)
            {
                hidden.Slice(rowStart, dimension).CopyTo(vector);
            }
            else
            {
                // Masked mean: padding positions (t >= tokens) never contribute; the pooler output is not used.
                for (var t = 0; t < tokens; t++)
                {
                    VectorMath.AddTo(hidden.Slice(rowStart + (t * dimension), dimension), vector);
                }

                var inverse = 1f / tokens;
                for (var d = 0; d < dimension; d++)
                {
                    vector[d] *= inverse;
                }
            }

            var norm = VectorMath.Normalize(vector);
            if (!norms.IsEmpty)
            {
                norms[row] = norm;
            }
        }
    }
}
