using System.Text.Json;
using System.Text.Json.Nodes;

namespace Opskit.Cluster.Embeddings;

/// <summary>
/// Another BERT-family sentence-transformers export from a folder in the Hugging Face layout: <c>model.onnx</c>
/// (or <c>onnx/model.onnx</c>), the tokenizer from <c>tokenizer.json</c> (or, without one, <c>vocab.txt</c> with
/// <c>tokenizer_config.json</c>'s flags, as transformers converts a slow BERT tokenizer), the sequence length from
/// <c>sentence_bert_config.json</c>/<c>tokenizer_config.json</c>/<c>config.json</c> (<see cref="SequenceLength"/>)
/// and the pooling from <c>1_Pooling/config.json</c>. The model id is the folder name.
/// </summary>
internal sealed class ModelDirectory(string path) : IModelLoader
{
    /// <summary>What is wrong with <paramref name="folder"/> as a model folder, in one line; null when it can be loaded.</summary>
    public static string? Check(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return $"{folder}: no such folder";
        }

        var hasModel = OnnxPath(folder) is not null;
        var hasTokenizer = File.Exists(Path.Combine(folder, "tokenizer.json")) || File.Exists(Path.Combine(folder, "vocab.txt"));
        var missing = (hasModel, hasTokenizer) switch
        {
            (true, true) => null,
            (false, true) => $"{folder}: has no model.onnx (nor onnx/model.onnx)",
            (true, false) => $"{folder}: has no tokenizer.json (nor vocab.txt)",
            _ => $"{folder}: has neither model.onnx (nor onnx/model.onnx) nor tokenizer.json (nor vocab.txt)",
        };
        if (missing is not null)
        {
            return missing;
        }

        try
        {
            // Read now, so an unsupported tokenizer is one line before anything starts, not a failed load after.
            _ = WordPieceTokenizer.Create(ReadSettings(folder).Tokenizer);
            return null;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return ex.Message;
        }
    }

    public async Task<ModelFiles> LoadAsync(CancellationToken cancellationToken)
    {
        var model = OnnxPath(path) ?? throw new FileNotFoundException($"--model {path} needs model.onnx (or onnx/model.onnx)");
        var (tokenizer, limits, pooling) = ReadSettings(path);
        var onnx = await File.ReadAllBytesAsync(model, cancellationToken).ConfigureAwait(false);
        return new ModelFiles(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))), onnx, tokenizer, limits, pooling);
    }

    /// <summary>The tokenizer, sequence limits and pooling <paramref name="folder"/> describes.</summary>
    /// <exception cref="InvalidDataException">A file is malformed or describes a tokenizer Opskit cannot run (one line naming the file).</exception>
    /// <exception cref="FileNotFoundException">Neither tokenizer.json nor vocab.txt is there.</exception>
    public static (TokenizerSettings Tokenizer, SequenceLength Limits, Pooling Pooling) ReadSettings(string folder)
    {
        var tokenizerConfig = ReadObject(Path.Combine(folder, "tokenizer_config.json"));
        var tokenizerJson = Path.Combine(folder, "tokenizer.json");
        TokenizerSettings tokenizer;
        if (File.Exists(tokenizerJson))
        {
            tokenizer = TokenizerJson.Read(File.ReadAllText(tokenizerJson), tokenizerJson);
        }
        else
        {
            var vocabulary = Path.Combine(folder, "vocab.txt");
            if (!File.Exists(vocabulary))
            {
                throw new FileNotFoundException($"{folder}: has no tokenizer.json (nor vocab.txt)", tokenizerJson);
            }

            var lowercase = Flag(tokenizerConfig, "do_lower_case") ?? true;
            tokenizer = TokenizerSettings.BertUncased(
                TokenizerSettings.ParseVocabulary(File.ReadAllText(vocabulary)),
                lowercase,
                Flag(tokenizerConfig, "strip_accents"),
                Flag(tokenizerConfig, "tokenize_chinese_chars") ?? true);
        }

        var limits = new SequenceLength(
            Number(ReadObject(Path.Combine(folder, "sentence_bert_config.json")), "max_seq_length"),
            Number(tokenizerConfig, "model_max_length"),
            Number(ReadObject(Path.Combine(folder, "config.json")), "max_position_embeddings"));
        var poolingConfig = ReadObject(Path.Combine(folder, "1_Pooling", "config.json"));
        var pooling = Flag(poolingConfig, "pooling_mode_cls_token") == true && Flag(poolingConfig, "pooling_mode_mean_tokens") != true
            ? Pooling.Cls
            : Pooling.Mean;
        return (tokenizer, limits, pooling);
    }

    private static string? OnnxPath(string folder)
    {
        foreach (var candidate in (string[])[Path.Combine(folder, "model.onnx"), Path.Combine(folder, "onnx", "model.onnx")])
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The JSON object in <paramref name="file"/>, or null when there is no such file.</summary>
    private static JsonObject? ReadObject(string file)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new InvalidDataException($"{file}: not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{file}: not valid JSON ({ex.Message})", ex);
        }
    }

    /// <summary>A positive whole number; a huge one (transformers' "no limit", 1e30) counts as none.</summary>
    private static int? Number(JsonObject? node, string name) =>
        node?[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<double>(out var number)
            && number is >= 1 and <= int.MaxValue
            ? (int)number
            : null;

    private static bool? Flag(JsonObject? node, string name) =>
        node?[name] is JsonValue value ? value.GetValueKind() switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null } : null;
}
