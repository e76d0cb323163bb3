namespace Opskit.Cluster.Embeddings;

/// <summary>
/// Another BERT-family sentence-transformers export from a folder: <c>model.onnx</c> (or
/// <c>onnx/model.onnx</c>) and <c>vocab.txt</c>. The model id is the folder name.
/// </summary>
internal sealed class ModelDirectory(string path) : IModelLoader
{
    /// <summary>What is wrong with <paramref name="folder"/> as a model folder, in one line; null when the files are there.</summary>
    public static string? Check(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return $"{folder}: no such folder";
        }

        var hasModel = File.Exists(Path.Combine(folder, "model.onnx")) || File.Exists(Path.Combine(folder, "onnx", "model.onnx"));
        var hasVocabulary = File.Exists(Path.Combine(folder, "vocab.txt"));
        return (hasModel, hasVocabulary) switch
        {
            (true, true) => null,
            (false, true) => $"{folder}: has no model.onnx (nor onnx/model.onnx)",
            (true, false) => $"{folder}: has no vocab.txt",
            _ => $"{folder}: has neither model.onnx (nor onnx/model.onnx) nor vocab.txt",
        };
    }

    public async Task<ModelFiles> LoadAsync(CancellationToken cancellationToken)
    {
        var model = Path.Combine(path, "model.onnx");
        if (!File.Exists(model))
        {
            model = Path.Combine(path, "onnx", "model.onnx");
        }

        var vocabulary = Path.Combine(path, "vocab.txt");
        if (!File.Exists(model) || !File.Exists(vocabulary))
        {
            throw new FileNotFoundException($"--model {path} needs model.onnx (or onnx/model.onnx) and vocab.txt");
        }

        var onnx = await File.ReadAllBytesAsync(model, cancellationToken).ConfigureAwait(false);
        var text = await File.ReadAllTextAsync(vocabulary, cancellationToken).ConfigureAwait(false);
        return new ModelFiles(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))), onnx, text);
    }
}
