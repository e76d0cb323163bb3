using System.Text;
using System.Text.Json;
using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Bench;

/// <summary>
/// Writes the bundled all-MiniLM-L6-v2 as a folder transformers.js can load offline: the same
/// <c>onnx/model.onnx</c> bytes, plus <c>config.json</c>, <c>tokenizer.json</c> and
/// <c>tokenizer_config.json</c> generated from <c>vocab.txt</c>.
/// </summary>
internal static class ModelExport
{
    public static void Write(string directory)
    {
        var files = new MiniLmResources().Load();
        Directory.CreateDirectory(Path.Combine(directory, "onnx"));
        File.WriteAllBytes(Path.Combine(directory, "onnx", "model.onnx"), files.Onnx);
        var tokens = files.Vocabulary.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        if (tokens.Count > 0 && tokens[^1].Length == 0)
        {
            tokens.RemoveAt(tokens.Count - 1);
        }

        File.WriteAllText(Path.Combine(directory, "vocab.txt"), string.Join('\n', tokens) + "\n");
        var vocab = new Dictionary<string, int>();
        for (var i = 0; i < tokens.Count; i++)
        {
            vocab.TryAdd(tokens[i], i);
        }

        object Special(string token) => new { id = vocab[token], content = token, single_word = false, lstrip = false, rstrip = false, normalized = false, special = true };
        var tokenizer = new Dictionary<string, object?>
        {
            ["version"] = "1.0",
            ["truncation"] = new { direction = "Right", max_length = 256, strategy = "LongestFirst", stride = 0 },
            ["padding"] = null,
            ["added_tokens"] = new[] { Special("[PAD]"), Special("[UNK]"), Special("[CLS]"), Special("[SEP]"), Special("[MASK]") },
            ["normalizer"] = new { type = "BertNormalizer", clean_text = true, handle_chinese_chars = true, strip_accents = (bool?)null, lowercase = true },
            ["pre_tokenizer"] = new { type = "BertPreTokenizer" },
            ["post_processor"] = new Dictionary<string, object>
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new object[]
                {
                    new { SpecialToken = new { id = "[CLS]", type_id = 0 } },
                    new { Sequence = new { id = "A", type_id = 0 } },
                    new { SpecialToken = new { id = "[SEP]", type_id = 0 } },
                },
                ["pair"] = new object[]
                {
                    new { SpecialToken = new { id = "[CLS]", type_id = 0 } },
                    new { Sequence = new { id = "A", type_id = 0 } },
                    new { SpecialToken = new { id = "[SEP]", type_id = 0 } },
                    new { Sequence = new { id = "B", type_id = 1 } },
                    new { SpecialToken = new { id = "[SEP]", type_id = 1 } },
                },
                ["special_tokens"] = new Dictionary<string, object>
                {
                    ["[CLS]"] = new { id = "[CLS]", ids = new[] { vocab["[CLS]"] }, tokens = new[] { "[CLS]" } },
                    ["[SEP]"] = new { id = "[SEP]", ids = new[] { vocab["[SEP]"] }, tokens = new[] { "[SEP]" } },
                },
            },
            ["decoder"] = new { type = "WordPiece", prefix = "##", cleanup = true },
            ["model"] = new { type = "WordPiece", unk_token = "[UNK]", continuing_subword_prefix = "##", max_input_chars_per_word = 100, vocab },
        };
        var json = new JsonSerializerOptions { WriteIndented = false };
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), JsonSerializer.Serialize(tokenizer, json), Encoding.UTF8);
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), JsonSerializer.Serialize(new
        {
            tokenizer_class = "BertTokenizer",
            do_lower_case = true,
            model_max_length = 256,
            cls_token = "[CLS]",
            sep_token = "[SEP]",
            pad_token = "[PAD]",
            unk_token = "[UNK]",
            mask_token = "[MASK]",
            clean_up_tokenization_spaces = true,
            strip_accents = (bool?)null,
            tokenize_chinese_chars = true,
        }, json));
        File.WriteAllText(Path.Combine(directory, "config.json"), JsonSerializer.Serialize(new
        {
            architectures = new[] { "BertModel" },
            model_type = "bert",
            hidden_size = 384,
            intermediate_size = 1536,
            num_attention_heads = 12,
            num_hidden_layers = 6,
            max_position_embeddings = 512,
            vocab_size = tokens.Count,
            type_vocab_size = 2,
            hidden_act = "gelu",
            pad_token_id = 0,
        }, json));
    }
}
