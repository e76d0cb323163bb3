namespace Opskit.Cluster.Embeddings;

/// <summary>The bytes a sentence-embedding model is made of, before an ONNX Runtime session exists.</summary>
/// <param name="ModelId">Name reported by <c>/info</c> and <c>/v1/embeddings</c>.</param>
/// <param name="Onnx">The ONNX graph with weights.</param>
/// <param name="Vocabulary">Text of the BERT <c>vocab.txt</c>.</param>
internal sealed record ModelFiles(string ModelId, byte[] Onnx, string Vocabulary);

/// <summary>Where the model comes from; injectable so tests can make loading slow or fail.</summary>
internal interface IModelLoader
{
    /// <summary>Reads the model files; called once at start-up, off the request path.</summary>
    Task<ModelFiles> LoadAsync(CancellationToken cancellationToken);
}
