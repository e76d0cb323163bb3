namespace Opskit.Cluster.Embeddings;

/// <summary>The bytes and settings a sentence-embedding model is made of, before an ONNX Runtime session exists.</summary>
/// <param name="ModelId">Name reported by <c>/info</c> and <c>/v1/embeddings</c>.</param>
/// <param name="Onnx">The ONNX graph with weights.</param>
/// <param name="Tokenizer">The tokenizer, as the model's <c>tokenizer.json</c> describes it.</param>
/// <param name="Limits">Where its sequence-length limit comes from.</param>
/// <param name="Pooling">The pooling its sentence-transformers configuration names (mean when it names none).</param>
internal sealed record ModelFiles(string ModelId, byte[] Onnx, TokenizerSettings Tokenizer, SequenceLength Limits, Pooling Pooling = Pooling.Mean);

/// <summary>Where the model comes from; injectable so tests can make loading slow or fail.</summary>
internal interface IModelLoader
{
    /// <summary>Reads the model files; called once at start-up, off the request path.</summary>
    Task<ModelFiles> LoadAsync(CancellationToken cancellationToken);
}
