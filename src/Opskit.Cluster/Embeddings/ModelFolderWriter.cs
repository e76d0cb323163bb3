using System.Text.Json.Nodes;

namespace Opskit.Cluster.Embeddings;

/// <summary>
/// The one writer of a model folder in the Hugging Face layout: <c>tokenizer.json</c>, <c>tokenizer_config.json</c>,
/// <c>sentence_bert_config.json</c>, <c>1_Pooling/config.json</c>, <c>config.json</c>, <c>vocab.txt</c> and, when
/// given, <c>onnx/model.onnx</c>. transformers.js loads it offline (the differential tokenizer test and the
/// benchmark's peer), and <c>opskit cluster --model</c> reads it back to the same settings.
/// </summary>
internal static class ModelFolderWriter
{
    /// <summary>Writes <paramref name="files"/> to <paramref name="directory"/>; <paramref name="architecture"/> is config.json without the two numbers the settings give.</summary>
    public static void Write(string directory, ModelFiles files, JsonObject architecture, bool includeOnnx = true)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(architecture);
        var tokenizer = files.Tokenizer;
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), TokenizerJson.Write(tokenizer));
        string? Named(string token) => tokenizer.Vocabulary.Contains(token) || tokenizer.AddedTokens.Any(t => t.Content == token) ? token : null;
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer",
            ["do_lower_case"] = tokenizer.Lowercase,
            ["model_max_length"] = files.Limits.ModelMaxLength,
            ["cls_token"] = tokenizer.ClsToken,
            ["sep_token"] = tokenizer.SepToken,
            ["pad_token"] = Named(tokenizer.PadToken),
            ["unk_token"] = tokenizer.UnkToken,
            ["mask_token"] = Named("[MASK]"),
            ["clean_up_tokenization_spaces"] = true,
            ["strip_accents"] = tokenizer.StripAccents,
            ["tokenize_chinese_chars"] = tokenizer.HandleChineseChars,
        }.ToJsonString());
        if (files.Limits.MaxSeqLength is { } maxSeqLength)
        {
            File.WriteAllText(Path.Combine(directory, "sentence_bert_config.json"), new JsonObject
            {
                ["max_seq_length"] = maxSeqLength,
                ["do_lower_case"] = false,
            }.ToJsonString());
        }

        Directory.CreateDirectory(Path.Combine(directory, "1_Pooling"));
        File.WriteAllText(Path.Combine(directory, "1_Pooling", "config.json"), new JsonObject
        {
            ["word_embedding_dimension"] = architecture["hidden_size"]?.DeepClone(),
            ["pooling_mode_cls_token"] = files.Pooling == Pooling.Cls,
            ["pooling_mode_mean_tokens"] = files.Pooling == Pooling.Mean,
            ["pooling_mode_max_tokens"] = false,
            ["pooling_mode_mean_sqrt_len_tokens"] = false,
        }.ToJsonString());
        var config = (JsonObject)architecture.DeepClone();
        config["vocab_size"] = tokenizer.Vocabulary.Count;
        if (files.Limits.MaxPositionEmbeddings is { } positions)
        {
            config["max_position_embeddings"] = positions;
        }

        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString());
        File.WriteAllText(Path.Combine(directory, "vocab.txt"), string.Join('\n', tokenizer.Vocabulary) + "\n");
        if (includeOnnx)
        {
            Directory.CreateDirectory(Path.Combine(directory, "onnx"));
            File.WriteAllBytes(Path.Combine(directory, "onnx", "model.onnx"), files.Onnx);
        }
    }
}
