using System.Text.Json;
using System.Text.Json.Nodes;

namespace Opskit.Cluster.Embeddings;

/// <summary>
/// Reads and writes the BERT-family subset of Hugging Face's <c>tokenizer.json</c>: a <c>BertNormalizer</c> (or
/// none), the <c>BertPreTokenizer</c>, a <c>WordPiece</c> model, <c>added_tokens</c> and a post-processor that puts
/// one token before and one after the text (<c>TemplateProcessing</c> or <c>BertProcessing</c>). Anything else —
/// a BPE or Unigram model, another normalizer or pre-tokenizer — is refused with one line naming the file, the
/// field and the type, because tokenizing it as BERT would silently give other ids than the reference.
/// </summary>
internal static class TokenizerJson
{
    /// <summary>Parses <paramref name="json"/>; <paramref name="source"/> (a path) names the file in errors.</summary>
    /// <exception cref="InvalidDataException">The file is not JSON or not a tokenizer Opskit can run (one line).</exception>
    public static TokenizerSettings Read(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({ex.Message})", ex);
        }

        if (root is not JsonObject tokenizer)
        {
            throw new InvalidDataException($"{source}: not a tokenizer.json (the top level is not an object)");
        }

        InvalidDataException Unsupported(string field, string? type) =>
            new($"{source}: {field} type '{type ?? "(none)"}' is not supported; opskit cluster runs BERT-family WordPiece tokenizers (BertNormalizer, BertPreTokenizer, WordPiece)");

        var model = tokenizer["model"] as JsonObject ?? throw new InvalidDataException($"{source}: has no \"model\"");
        var modelType = Text(model, "type");
        if (modelType is not "WordPiece")
        {
            throw Unsupported("model", modelType ?? (model.ContainsKey("merges") ? "BPE (untyped)" : null));
        }

        if (model["vocab"] is not JsonObject vocab || vocab.Count == 0)
        {
            throw new InvalidDataException($"{source}: model.vocab is missing or empty");
        }

        var byId = new SortedDictionary<int, string>();
        foreach (var (token, idNode) in vocab)
        {
            if (idNode is not JsonValue value || !value.TryGetValue<int>(out var id) || id < 0)
            {
                throw new InvalidDataException($"{source}: model.vocab[\"{token}\"] is not a token id");
            }

            byId.TryAdd(id, token);
        }

        var size = byId.Keys.Max() + 1;
        var vocabulary = new string[size];
        foreach (var (id, token) in byId)
        {
            vocabulary[id] = token;
        }

        // A gap in the ids would leave a hole no text can reach; an empty spelling keeps the array dense.
        for (var i = 0; i < size; i++)
        {
            vocabulary[i] ??= string.Empty;
        }

        var settings = new TokenizerSettings
        {
            Vocabulary = vocabulary,
            UnkToken = Text(model, "unk_token") ?? "[UNK]",
            ContinuingSubwordPrefix = Text(model, "continuing_subword_prefix") ?? "##",
            MaxInputCharsPerWord = Number(model, "max_input_chars_per_word") ?? 100,
        };

        switch (tokenizer["normalizer"])
        {
            case null:
                settings = settings with { CleanText = false, HandleChineseChars = false, Lowercase = false, StripAccents = false };
                break;
            case JsonObject normalizer when Text(normalizer, "type") is "BertNormalizer":
                settings = settings with
                {
                    CleanText = Flag(normalizer, "clean_text") ?? true,
                    HandleChineseChars = Flag(normalizer, "handle_chinese_chars") ?? true,
                    StripAccents = Flag(normalizer, "strip_accents"),
                    Lowercase = Flag(normalizer, "lowercase") ?? true,
                };
                break;
            case JsonObject normalizer:
                throw Unsupported("normalizer", Text(normalizer, "type"));
            default:
                throw Unsupported("normalizer", null);
        }

        if (tokenizer["pre_tokenizer"] is not JsonObject preTokenizer || Text(preTokenizer, "type") is not "BertPreTokenizer")
        {
            throw Unsupported("pre_tokenizer", tokenizer["pre_tokenizer"] is JsonObject other ? Text(other, "type") : null);
        }

        var (cls, sep) = ReadPostProcessor(tokenizer["post_processor"], source);
        var added = new List<AddedToken>();
        if (tokenizer["added_tokens"] is JsonArray addedTokens)
        {
            foreach (var node in addedTokens)
            {
                if (node is not JsonObject entry || Text(entry, "content") is not { Length: > 0 } content || Number(entry, "id") is not { } id)
                {
                    throw new InvalidDataException($"{source}: an added_tokens entry has no content or id");
                }

                var special = Flag(entry, "special") ?? false;
                added.Add(new AddedToken(
                    id,
                    content,
                    Flag(entry, "single_word") ?? false,
                    Flag(entry, "lstrip") ?? false,
                    Flag(entry, "rstrip") ?? false,
                    Flag(entry, "normalized") ?? !special,
                    special));
            }
        }

        var truncation = tokenizer["truncation"] is JsonObject truncationObject ? Number(truncationObject, "max_length") : null;
        return settings with { AddedTokens = added, ClsToken = cls, SepToken = sep, TruncationMaxLength = truncation, PadToken = PadToken(tokenizer) ?? "[PAD]" };
    }

    /// <summary>The tokenizer.json that <see cref="Read"/> reads back as <paramref name="settings"/> (the form the Hugging Face hub serves).</summary>
    public static string Write(TokenizerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var vocab = new JsonObject();
        for (var i = 0; i < settings.Vocabulary.Count; i++)
        {
            if (!vocab.ContainsKey(settings.Vocabulary[i]))
            {
                vocab[settings.Vocabulary[i]] = i;
            }
        }

        int IdOf(string token) => settings.AddedTokens.FirstOrDefault(t => t.Content == token)?.Id
            ?? (vocab[token] is { } id ? id.GetValue<int>() : throw new ArgumentException($"{token} is neither an added token nor in the vocabulary", nameof(settings)));

        var added = new JsonArray();
        foreach (var token in settings.AddedTokens)
        {
            added.Add(new JsonObject
            {
                ["id"] = token.Id,
                ["content"] = token.Content,
                ["single_word"] = token.SingleWord,
                ["lstrip"] = token.Lstrip,
                ["rstrip"] = token.Rstrip,
                ["normalized"] = token.Normalized,
                ["special"] = token.Special,
            });
        }

        JsonObject Special(string token, int typeId = 0) => new() { ["SpecialToken"] = new JsonObject { ["id"] = token, ["type_id"] = typeId } };
        JsonObject Sequence(string id, int typeId) => new() { ["Sequence"] = new JsonObject { ["id"] = id, ["type_id"] = typeId } };
        JsonObject SpecialEntry(string token) => new() { ["id"] = token, ["ids"] = new JsonArray(IdOf(token)), ["tokens"] = new JsonArray(token) };
        var specialTokens = new JsonObject { [settings.ClsToken] = SpecialEntry(settings.ClsToken) };
        specialTokens[settings.SepToken] = SpecialEntry(settings.SepToken);
        var root = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = settings.TruncationMaxLength is { } max
                ? new JsonObject { ["direction"] = "Right", ["max_length"] = max, ["strategy"] = "LongestFirst", ["stride"] = 0 }
                : null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = new JsonObject
            {
                ["type"] = "BertNormalizer",
                ["clean_text"] = settings.CleanText,
                ["handle_chinese_chars"] = settings.HandleChineseChars,
                ["strip_accents"] = settings.StripAccents,
                ["lowercase"] = settings.Lowercase,
            },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(Special(settings.ClsToken), Sequence("A", 0), Special(settings.SepToken)),
                ["pair"] = new JsonArray(Special(settings.ClsToken), Sequence("A", 0), Special(settings.SepToken), Sequence("B", 1), Special(settings.SepToken, 1)),
                ["special_tokens"] = specialTokens,
            },
            ["decoder"] = new JsonObject { ["type"] = "WordPiece", ["prefix"] = settings.ContinuingSubwordPrefix, ["cleanup"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "WordPiece",
                ["unk_token"] = settings.UnkToken,
                ["continuing_subword_prefix"] = settings.ContinuingSubwordPrefix,
                ["max_input_chars_per_word"] = settings.MaxInputCharsPerWord,
                ["vocab"] = vocab,
            },
        };
        return root.ToJsonString();
    }

    /// <summary>The tokens the post-processor puts before and after the text: <c>[CLS]</c> and <c>[SEP]</c> for BERT.</summary>
    private static (string Cls, string Sep) ReadPostProcessor(JsonNode? node, string source)
    {
        if (node is not JsonObject processor)
        {
            throw new InvalidDataException($"{source}: post_processor type '(none)' is not supported; opskit cluster needs one that adds a token before and after the text (TemplateProcessing or BertProcessing)");
        }

        switch (Text(processor, "type"))
        {
            case "BertProcessing" or "RobertaProcessing":
                // "cls": ["[CLS]", 101], "sep": ["[SEP]", 102]
                if (processor["cls"] is JsonArray { Count: 2 } clsPair && processor["sep"] is JsonArray { Count: 2 } sepPair)
                {
                    return (clsPair[0]!.GetValue<string>(), sepPair[0]!.GetValue<string>());
                }

                break;
            case "TemplateProcessing":
                // "single": [{"SpecialToken": {"id": "[CLS]"}}, {"Sequence": {"id": "A"}}, {"SpecialToken": {"id": "[SEP]"}}]
                if (processor["single"] is JsonArray { Count: 3 } single
                    && single[0]?["SpecialToken"]?["id"]?.GetValue<string>() is { } cls
                    && single[1]?["Sequence"] is not null
                    && single[2]?["SpecialToken"]?["id"]?.GetValue<string>() is { } sep)
                {
                    return (cls, sep);
                }

                break;
            default:
                break;
        }

        throw new InvalidDataException($"{source}: post_processor type '{Text(processor, "type") ?? "(none)"}' with this template is not supported; opskit cluster needs one token before and one after the text, as BERT's [CLS] text [SEP]");
    }

    private static string? PadToken(JsonObject tokenizer) =>
        tokenizer["padding"] is JsonObject padding ? Text(padding, "pad_token") : null;

    private static string? Text(JsonObject node, string name) =>
        node[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static int? Number(JsonObject node, string name) =>
        node[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out var number) ? number : null;

    private static bool? Flag(JsonObject node, string name) =>
        node[name] is JsonValue value ? value.GetValueKind() switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null } : null;
}
