using System.Text.Json;
using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Tests.Embeddings;

/// <summary>
/// A folder transformers.js's AutoTokenizer loads offline: the <c>tokenizer.json</c> of all-MiniLM-L6-v2 (the
/// one on the Hugging Face hub: BertNormalizer with clean_text, handle_chinese_chars, strip_accents unset and
/// lowercase; BertPreTokenizer; WordPiece with "##" and 100 characters per word; the five special added tokens)
/// built from the bundled <c>vocab.txt</c>, as bench/cluster/Opskit.Cluster.Bench/ModelExport.cs writes it.
/// </summary>
internal static class ReferenceTokenizerFolder
{
    public static void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var tokens = new MiniLmResources().Load().Vocabulary.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        if (tokens.Count > 0 && tokens[^1].Length == 0)
        {
            tokens.RemoveAt(tokens.Count - 1);
        }

        var vocab = new Dictionary<string, int>();
        for (var i = 0; i < tokens.Count; i++)
        {
            vocab.TryAdd(tokens[i], i);
        }

        object Special(string token) => new { id = vocab[token], content = token, single_word = false, lstrip = false, rstrip = false, normalized = false, special = true };
        object SpecialToken(string id) => new { SpecialToken = new { id, type_id = 0 } };
        var tokenizer = new Dictionary<string, object?>
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new[] { Special("[PAD]"), Special("[UNK]"), Special("[CLS]"), Special("[SEP]"), Special("[MASK]") },
            ["normalizer"] = new { type = "BertNormalizer", clean_text = true, handle_chinese_chars = true, strip_accents = (bool?)null, lowercase = true },
            ["pre_tokenizer"] = new { type = "BertPreTokenizer" },
            ["post_processor"] = new Dictionary<string, object>
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new[] { SpecialToken("[CLS]"), new { Sequence = new { id = "A", type_id = 0 } }, SpecialToken("[SEP]") },
                ["pair"] = new[] { SpecialToken("[CLS]"), new { Sequence = new { id = "A", type_id = 0 } }, SpecialToken("[SEP]"), new { Sequence = new { id = "B", type_id = 1 } }, SpecialToken("[SEP]") },
                ["special_tokens"] = new Dictionary<string, object>
                {
                    ["[CLS]"] = new { id = "[CLS]", ids = new[] { vocab["[CLS]"] }, tokens = new[] { "[CLS]" } },
                    ["[SEP]"] = new { id = "[SEP]", ids = new[] { vocab["[SEP]"] }, tokens = new[] { "[SEP]" } },
                },
            },
            ["decoder"] = new { type = "WordPiece", prefix = "##", cleanup = true },
            ["model"] = new { type = "WordPiece", unk_token = "[UNK]", continuing_subword_prefix = "##", max_input_chars_per_word = 100, vocab },
        };
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), JsonSerializer.Serialize(tokenizer));
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), JsonSerializer.Serialize(new
        {
            tokenizer_class = "BertTokenizer",
            do_lower_case = true,
            model_max_length = 512,
            cls_token = "[CLS]",
            sep_token = "[SEP]",
            pad_token = "[PAD]",
            unk_token = "[UNK]",
            mask_token = "[MASK]",
            clean_up_tokenization_spaces = true,
            strip_accents = (bool?)null,
            tokenize_chinese_chars = true,
        }));
        File.WriteAllText(Path.Combine(directory, "config.json"), JsonSerializer.Serialize(new { model_type = "bert", vocab_size = tokens.Count }));
    }
}
