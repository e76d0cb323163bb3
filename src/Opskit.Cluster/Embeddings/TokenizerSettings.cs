namespace Opskit.Cluster.Embeddings;

/// <summary>
/// What a BERT-family <c>tokenizer.json</c> says, the parts Opskit runs: the BertNormalizer's flags, WordPiece's
/// vocabulary and limits, the added tokens with their flags, the <c>[CLS]</c>/<c>[SEP]</c> the post-processor adds
/// and the truncation length. Read by <see cref="TokenizerJson.Read"/>, written by <see cref="TokenizerJson.Write"/>,
/// run by <see cref="WordPieceTokenizer"/>.
/// </summary>
internal sealed record TokenizerSettings
{
    /// <summary>WordPiece vocabulary, index = id (the <c>model.vocab</c> object of tokenizer.json, or vocab.txt's lines).</summary>
    public required IReadOnlyList<string> Vocabulary { get; init; }

    /// <summary>Remove NUL, U+FFFD and control characters; turn every whitespace character into a space.</summary>
    public bool CleanText { get; init; } = true;

    /// <summary>Put spaces around CJK ideographs, so each is a word of its own.</summary>
    public bool HandleChineseChars { get; init; } = true;

    /// <summary>NFD, then drop nonspacing marks. Null follows <see cref="Lowercase"/>, as Hugging Face's BertNormalizer does.</summary>
    public bool? StripAccents { get; init; }

    public bool Lowercase { get; init; } = true;

    public string UnkToken { get; init; } = "[UNK]";

    public string ContinuingSubwordPrefix { get; init; } = "##";

    /// <summary>A longer word (in code points) is one unknown token.</summary>
    public int MaxInputCharsPerWord { get; init; } = 100;

    /// <summary>Tokens matched in the text before normalization (or after, when <see cref="AddedToken.Normalized"/>).</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; init; } = [];

    /// <summary>What the post-processor puts before the text.</summary>
    public string ClsToken { get; init; } = "[CLS]";

    /// <summary>What the post-processor puts after the text.</summary>
    public string SepToken { get; init; } = "[SEP]";

    public string PadToken { get; init; } = "[PAD]";

    /// <summary>tokenizer.json's own <c>truncation.max_length</c>; sentence-transformers overrides it (see <see cref="SequenceLength"/>).</summary>
    public int? TruncationMaxLength { get; init; }

    /// <summary>Whether accents are stripped, after the null default is resolved.</summary>
    public bool StripsAccents => StripAccents ?? Lowercase;

    /// <summary>
    /// The settings of bert-base-uncased and of every model derived from it (all-MiniLM-L6-v2 among them): BERT's
    /// normalizer with lower-casing, <c>##</c>, 100 characters per word, and the five special tokens that are in the
    /// vocabulary, added as special, not normalized, with no strip flags.
    /// </summary>
    public static TokenizerSettings BertUncased(IReadOnlyList<string> vocabulary, bool lowercase = true, bool? stripAccents = null, bool handleChineseChars = true)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < vocabulary.Count; i++)
        {
            ids.TryAdd(vocabulary[i], i);
        }

        var added = new List<AddedToken>();
        foreach (var name in (string[])["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
        {
            if (ids.TryGetValue(name, out var id))
            {
                added.Add(new AddedToken(id, name));
            }
        }

        return new TokenizerSettings
        {
            Vocabulary = vocabulary,
            Lowercase = lowercase,
            StripAccents = stripAccents,
            HandleChineseChars = handleChineseChars,
            AddedTokens = added,
        };
    }

    /// <summary>The tokens of a BERT <c>vocab.txt</c>, one per line (LF or CRLF; the final newline ends the last token).</summary>
    public static List<string> ParseVocabulary(string vocabText)
    {
        ArgumentNullException.ThrowIfNull(vocabText);
        var tokens = vocabText.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        if (tokens.Count > 0 && tokens[^1].Length == 0)
        {
            tokens.RemoveAt(tokens.Count - 1);
        }

        return tokens;
    }
}

/// <summary>An entry of tokenizer.json's <c>added_tokens</c>, with Hugging Face's matching flags.</summary>
/// <param name="Id">Its id (in the vocabulary or after it).</param>
/// <param name="Content">Its spelling.</param>
/// <param name="SingleWord">Matched only where no word character touches it on either side.</param>
/// <param name="Lstrip">Takes the whitespace before it (which then makes no token).</param>
/// <param name="Rstrip">Takes the whitespace after it.</param>
/// <param name="Normalized">Matched in the normalized text (against its normalized spelling) instead of the raw text.</param>
/// <param name="Special">Skipped by <c>/decode</c> with <c>skip_special_tokens</c>; marked special by <c>/tokenize</c>.</param>
internal sealed record AddedToken(int Id, string Content, bool SingleWord = false, bool Lstrip = false, bool Rstrip = false, bool Normalized = false, bool Special = true);
