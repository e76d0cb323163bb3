using System.Buffers;
using System.Globalization;
using System.Text;

namespace Opskit.Cluster.Embeddings;

/// <summary>
/// A BERT-family WordPiece tokenizer as Hugging Face <c>tokenizers</c> runs a model's <c>tokenizer.json</c> (what
/// sentence-transformers, TEI and transformers.js use): added tokens are split off the raw text first (and, for
/// those marked <c>normalized</c>, off the normalized text), the rest goes through the BertNormalizer (clean text,
/// space out CJK ideographs, strip accents, lower-case — each as the file says), the BertPreTokenizer (whitespace
/// and punctuation) and greedy longest-match WordPiece with the continuing-subword prefix; a word over
/// <see cref="TokenizerSettings.MaxInputCharsPerWord"/> code points or with an unknown piece is the unknown token.
/// Output is <c>[CLS] … [SEP]</c>, truncated so that both fit. Thread-safe: read-only after construction.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers 2.0.1 BertTokenizer was tried first against the golden file and differed on 8
/// of 21 items: accented Latin and Greek became <c>[UNK]</c> (it strips accents with
/// <see cref="string.Normalize()"/>, a no-op under InvariantGlobalization), tabs and newlines were not
/// word breaks, <c>=</c>, <c>©</c>, <c>®</c>, <c>™</c> and the emoji were dropped, and kana split
/// differently. This implementation matches all of them and allocates nothing per sentence beyond pooled buffers.
/// </remarks>
internal sealed class WordPieceTokenizer
{
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _words;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuations;
    private readonly string[] _tokens;
    private readonly bool[] _special;
    private readonly AddedTokenMatcher _rawAdded;
    private readonly AddedTokenMatcher _normalizedAdded;
    private readonly bool _cleanText;
    private readonly bool _chineseChars;
    private readonly bool _lowercase;
    private readonly bool _stripAccents;
    private readonly string _prefix;

    private WordPieceTokenizer(TokenizerSettings settings)
    {
        Settings = settings;
        _cleanText = settings.CleanText;
        _chineseChars = settings.HandleChineseChars;
        _lowercase = settings.Lowercase;
        _stripAccents = settings.StripsAccents;
        _prefix = settings.ContinuingSubwordPrefix;
        MaxInputCharsPerWord = settings.MaxInputCharsPerWord;

        var words = new Dictionary<string, int>(settings.Vocabulary.Count, StringComparer.Ordinal);
        var continuations = new Dictionary<string, int>(settings.Vocabulary.Count / 4, StringComparer.Ordinal);
        var size = settings.Vocabulary.Count;
        foreach (var added in settings.AddedTokens)
        {
            size = Math.Max(size, added.Id + 1);
        }

        _tokens = new string[size];
        _special = new bool[size];
        for (var id = 0; id < settings.Vocabulary.Count; id++)
        {
            var token = settings.Vocabulary[id];
            _tokens[id] = token;
            // As Hugging Face's WordPiece: a first piece is looked up as it is, a later one with the prefix in front.
            words.TryAdd(token, id);
            if (_prefix.Length > 0 && token.Length > _prefix.Length && token.StartsWith(_prefix, StringComparison.Ordinal))
            {
                continuations.TryAdd(token[_prefix.Length..], id);
            }
        }

        foreach (var added in settings.AddedTokens)
        {
            _tokens[added.Id] ??= added.Content;
            _special[added.Id] |= added.Special;
        }

        _words = words.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuations = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
        int Id(string token, string role) => settings.AddedTokens.FirstOrDefault(t => t.Content == token)?.Id
            ?? (words.TryGetValue(token, out var id) ? id : throw new InvalidDataException($"the tokenizer's {role} '{token}' is neither an added token nor in the vocabulary"));
        ClsId = Id(settings.ClsToken, "first token");
        SepId = Id(settings.SepToken, "last token");
        UnkId = Id(settings.UnkToken, "unknown token");
        PadId = settings.AddedTokens.FirstOrDefault(t => t.Content == settings.PadToken)?.Id ?? (words.TryGetValue(settings.PadToken, out var pad) ? pad : 0);
        VocabularySize = size;

        // Hugging Face matches the tokens marked normalized in the normalized text, against their normalized spelling.
        var raw = new List<AddedTokenMatcher.Entry>();
        var normalized = new List<AddedTokenMatcher.Entry>();
        foreach (var added in settings.AddedTokens)
        {
            if (added.Normalized)
            {
                var buffer = new CharBuffer(added.Content.Length + 8);
                try
                {
                    Normalize(added.Content, ref buffer);
                    if (buffer.Length > 0)
                    {
                        normalized.Add(new AddedTokenMatcher.Entry(buffer.Span.ToString(), added));
                    }
                }
                finally
                {
                    buffer.Dispose();
                }
            }
            else
            {
                raw.Add(new AddedTokenMatcher.Entry(added.Content, added));
            }
        }

        _rawAdded = new AddedTokenMatcher(raw);
        _normalizedAdded = new AddedTokenMatcher(normalized);
    }

    /// <summary>What this tokenizer was built from.</summary>
    public TokenizerSettings Settings { get; }

    /// <summary>Longest word (in code points) that is split into pieces; longer words are the unknown token.</summary>
    public int MaxInputCharsPerWord { get; }

    public int ClsId { get; }

    public int SepId { get; }

    public int UnkId { get; }

    public int PadId { get; }

    /// <summary>One more than the largest id (vocabulary and added tokens).</summary>
    public int VocabularySize { get; }

    /// <summary>A tokenizer that runs <paramref name="settings"/>.</summary>
    /// <exception cref="InvalidDataException">The special tokens the settings name have no id.</exception>
    public static WordPieceTokenizer Create(TokenizerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new WordPieceTokenizer(settings);
    }

    /// <summary>bert-base-uncased's tokenizer over the text of a <c>vocab.txt</c> (one token per line, LF or CRLF).</summary>
    public static WordPieceTokenizer FromVocabulary(string vocabText) =>
        Create(TokenizerSettings.BertUncased(TokenizerSettings.ParseVocabulary(vocabText)));

    /// <summary>
    /// Writes <c>[CLS]</c>, the ids of <paramref name="text"/> and <c>[SEP]</c> into <paramref name="ids"/>,
    /// truncating so the whole sequence fits; returns the number written.
    /// </summary>
    public int Encode(ReadOnlySpan<char> text, Span<int> ids)
    {
        if (ids.Length < 2)
        {
            throw new ArgumentException("room for [CLS] and [SEP] is needed", nameof(ids));
        }

        ids[0] = ClsId;
        var count = EncodeText(text, ids, 1, ids.Length - 1, null);
        ids[count++] = SepId;
        return count;
    }

    /// <summary>
    /// The tokens of <paramref name="text"/>, untruncated, each with its id and the range of the input (UTF-16
    /// offsets) it comes from, for TEI's <c>/tokenize</c>. Not the hot path: it allocates.
    /// </summary>
    public List<TokenSpan> EncodeWithOffsets(string text, bool addSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<TokenSpan>();
        if (addSpecialTokens)
        {
            result.Add(new TokenSpan(ClsId, 0, 0, true));
        }

        // A character gives at most a few tokens (a Hangul syllable three jamo), so this never truncates.
        var ids = new int[(text.Length * 4) + 8];
        EncodeText(text, ids, 0, ids.Length, result);
        if (addSpecialTokens)
        {
            result.Add(new TokenSpan(SepId, text.Length, text.Length, true));
        }

        return result;
    }

    /// <summary>Number of tokens (with specials) <paramref name="text"/> has before truncation, capped at <paramref name="cap"/>.</summary>
    public int CountTokens(ReadOnlySpan<char> text, int cap)
    {
        if (cap <= 512)
        {
            Span<int> scratch = stackalloc int[Math.Max(cap, 2)];
            return Encode(text, scratch);
        }

        var rented = ArrayPool<int>.Shared.Rent(cap);
        try
        {
            return Encode(text, rented.AsSpan(0, cap));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }

    /// <summary>The spelling of token <paramref name="id"/> (continuation prefix included), or null when there is none.</summary>
    public string? TokenText(int id) => (uint)id < (uint)_tokens.Length ? _tokens[id] : null;

    /// <summary>True for the added tokens marked special.</summary>
    public bool IsSpecial(int id) => (uint)id < (uint)_special.Length && _special[id];

    /// <summary>
    /// Text of <paramref name="ids"/> as Hugging Face's WordPiece decoder writes it: tokens joined by spaces,
    /// continuation pieces glued to the one before, then its clean-up of spaces before punctuation and contractions.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens)
    {
        var builder = new StringBuilder();
        foreach (var id in ids)
        {
            if (skipSpecialTokens && IsSpecial(id))
            {
                continue;
            }

            var token = TokenText(id) ?? _tokens[UnkId];
            if (token.Length > _prefix.Length && _prefix.Length > 0 && token.StartsWith(_prefix, StringComparison.Ordinal))
            {
                builder.Append(token, _prefix.Length, token.Length - _prefix.Length);
            }
            else
            {
                if (builder.Length > 0)
                {
                    builder.Append(' ');
                }

                builder.Append(token);
            }
        }

        return builder
            .Replace(" .", ".").Replace(" ?", "?").Replace(" !", "!").Replace(" ,", ",").Replace(" ' ", "'")
            .Replace(" n't", "n't").Replace(" 'm", "'m").Replace(" 's", "'s").Replace(" 've", "'ve").Replace(" 're", "'re")
            .ToString();
    }

    /// <summary>
    /// Appends the ids of <paramref name="text"/> from <paramref name="count"/> until <paramref name="limit"/>;
    /// <paramref name="spans"/>, when given, receives each id with its range of the input.
    /// </summary>
    private int EncodeText(ReadOnlySpan<char> text, Span<int> ids, int count, int limit, List<TokenSpan>? spans)
    {
        var normalized = new CharBuffer(text.Length + 16);
        var origins = spans is null ? null : new List<(int Start, int End)>();
        try
        {
            // The raw text is first split on the added tokens that are not normalized ([CLS], [SEP], [PAD], [MASK],
            // [UNK] in BERT's tokenizer.json: matched case-sensitively anywhere, even inside a word), which become
            // their own ids; only the text between them is normalized and word-pieced.
            var at = 0;
            while (count < limit)
            {
                var match = _rawAdded.Next(text, at);
                var end = match.Found ? match.Start : text.Length;
                normalized.Clear();
                origins?.Clear();
                Normalize(text[at..end], ref normalized, origins, at);
                count = AppendNormalized(normalized.Span, ids, count, limit, spans, origins);
                if (!match.Found)
                {
                    break;
                }

                if (count < limit)
                {
                    ids[count++] = match.Token.Id;
                    spans?.Add(new TokenSpan(match.Token.Id, match.Start, match.End, match.Token.Special));
                }

                at = match.End;
            }

            return count;
        }
        finally
        {
            normalized.Dispose();
        }
    }

    /// <summary>Splits normalized text on the added tokens marked normalized, and word-pieces the rest.</summary>
    private int AppendNormalized(ReadOnlySpan<char> span, Span<int> ids, int count, int limit, List<TokenSpan>? spans, List<(int Start, int End)>? origins)
    {
        if (_normalizedAdded.IsEmpty)
        {
            return AppendWords(span, 0, ids, count, limit, spans, origins);
        }

        var at = 0;
        while (count < limit)
        {
            var match = _normalizedAdded.Next(span, at);
            var end = match.Found ? match.Start : span.Length;
            count = AppendWords(span[at..end], at, ids, count, limit, spans, origins);
            if (!match.Found)
            {
                break;
            }

            if (count < limit)
            {
                ids[count++] = match.Token.Id;
                if (spans is not null && origins is not null)
                {
                    spans.Add(new TokenSpan(match.Token.Id, origins[match.Start].Start, origins[match.End - 1].End, match.Token.Special));
                }
            }

            at = match.End;
        }

        return count;
    }

    /// <summary>
    /// BertPreTokenizer then WordPiece: splits on whitespace and punctuation and appends the pieces of each word.
    /// <paramref name="offset"/> is where <paramref name="span"/> starts in the normalized text (for <paramref name="origins"/>).
    /// </summary>
    private int AppendWords(ReadOnlySpan<char> span, int offset, Span<int> ids, int count, int limit, List<TokenSpan>? spans, List<(int Start, int End)>? origins)
    {
        var start = 0;
        for (var i = 0; i <= span.Length && count < limit;)
        {
            // After clean_text every whitespace character is a space; without it, the pre-tokenizer splits on any
            // (Unicode White_Space, which is all in the BMP).
            if (i == span.Length || span[i] == ' ' || (!_cleanText && IsWhiteSpaceProperty(span[i])))
            {
                count = AppendWord(span[start..i], offset + start, ids, count, limit, spans, origins);
                start = ++i;
                continue;
            }

            Rune.DecodeFromUtf16(span[i..], out var rune, out var consumed);
            if (IsPunctuation(rune))
            {
                count = AppendWord(span[start..i], offset + start, ids, count, limit, spans, origins);
                count = AppendWord(span.Slice(i, consumed), offset + i, ids, count, limit, spans, origins);
                i += consumed;
                start = i;
                continue;
            }

            i += consumed;
        }

        return count;
    }

    /// <remarks><paramref name="offset"/> is where <paramref name="word"/> starts in the normalized text.</remarks>
    private int AppendWord(ReadOnlySpan<char> word, int offset, Span<int> ids, int count, int limit, List<TokenSpan>? spans, List<(int Start, int End)>? origins)
    {
        if (word.IsEmpty || count >= limit)
        {
            return count;
        }

        var codePoints = 0;
        foreach (var unused in word.EnumerateRunes())
        {
            if (++codePoints > MaxInputCharsPerWord)
            {
                ids[count] = UnkId;
                AddSpan(UnkId, 0, word.Length);
                return count + 1;
            }
        }

        // Greedy longest match first; an unmatched remainder makes the whole word the unknown token.
        var spansBefore = spans?.Count ?? 0;
        var written = count;
        var start = 0;
        while (start < word.Length)
        {
            var end = word.Length;
            var found = -1;
            while (end > start)
            {
                var piece = word[start..end];
                if (start == 0 ? _words.TryGetValue(piece, out var id) : _continuations.TryGetValue(piece, out id))
                {
                    found = id;
                    break;
                }

                // Step back one code point, never into the middle of a surrogate pair.
                end -= char.IsLowSurrogate(word[end - 1]) && end - 2 >= start ? 2 : 1;
            }

            if (found < 0)
            {
                spans?.RemoveRange(spansBefore, spans.Count - spansBefore);
                ids[count] = UnkId;
                AddSpan(UnkId, 0, word.Length);
                return count + 1;
            }

            if (written < limit)
            {
                ids[written++] = found;
                AddSpan(found, start, end);
            }

            start = end;
        }

        return written;

        void AddSpan(int id, int from, int to)
        {
            if (spans is not null && origins is not null)
            {
                spans.Add(new TokenSpan(id, origins[offset + from].Start, origins[offset + to - 1].End, false));
            }
        }
    }

    private void Normalize(ReadOnlySpan<char> text, ref CharBuffer output, List<(int Start, int End)>? origins = null, int baseOffset = 0)
    {
        var at = baseOffset;
        foreach (var rune in text.EnumerateRunes())
        {
            if (origins is not null)
            {
                // Every character this rune becomes maps back to the whole rune in the input.
                var before = output.Length;
                NormalizeRune(rune, ref output);
                for (var i = before; i < output.Length; i++)
                {
                    origins.Add((at, at + rune.Utf16SequenceLength));
                }

                at += rune.Utf16SequenceLength;
                continue;
            }

            NormalizeRune(rune, ref output);
        }
    }

    private void NormalizeRune(Rune rune, ref CharBuffer output)
    {
        var value = rune.Value;
        if (_cleanText)
        {
            // Only these four are whitespace to BERT below 0x80; \v and \f are control characters (category Cc)
            // and clean_text removes them, as both reference implementations do.
            if (value is '\t' or '\n' or '\r' or ' ')
            {
                output.Append(' ');
                return;
            }

            if (value is 0 or < 0x20 or 0x7F or 0xFFFD || (value >= 0x80 && IsControl(rune)))
            {
                return;
            }

            if (value >= 0x80 && IsWhitespace(rune))
            {
                output.Append(' ');
                return;
            }
        }

        if (value < 0x80)
        {
            // ASCII: the only change left is upper case.
            output.Append(_lowercase && value is >= 'A' and <= 'Z' ? (char)(value + 32) : (char)value);
            return;
        }

        if (_chineseChars && IsChineseCharacter(value))
        {
            // Spaced out first, then normalized like any character: a CJK compatibility ideograph such as
            // U+FA26 decomposes (NFD) to its unified ideograph, U+90FD, which is in the vocabulary.
            output.Append(' ');
            AppendCased(rune, ref output);
            output.Append(' ');
            return;
        }

        AppendCased(rune, ref output);
    }

    /// <summary>Lower-casing and accent stripping, each when the settings ask for it.</summary>
    private void AppendCased(Rune rune, ref CharBuffer output)
    {
        if (_lowercase)
        {
            if (rune.Value == 0x130)
            {
                // İ: full lower-casing gives i + U+0307 (and accent stripping then drops the mark); .NET's
                // invariant lower-casing leaves İ as it is (it keeps the Turkish i mappings out).
                output.Append('i');
                if (!_stripAccents)
                {
                    output.Append('\u0307');
                }

                return;
            }

            rune = Rune.ToLowerInvariant(rune);
        }

        if (_stripAccents)
        {
            AccentFolding.Append(rune, ref output);
        }
        else
        {
            output.Append(rune);
        }
    }

    private static bool IsControl(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;

    private static bool IsWhitespace(Rune rune) =>
        rune.Value == 0xFEFF || Rune.GetUnicodeCategory(rune) is UnicodeCategory.SpaceSeparator
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    /// <summary>Unicode's White_Space property (Rust's <c>char::is_whitespace</c>, what the pre-tokenizer splits on).</summary>
    internal static bool IsWhiteSpaceProperty(char c) =>
        c is (>= '\t' and <= '\r') or ' ' or '\u0085' or '\u00A0' or '\u1680' or (>= '\u2000' and <= '\u200A')
            or '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000';

    private static bool IsPunctuation(Rune rune)
    {
        var value = rune.Value;
        if (value is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126))
        {
            return true;
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    private static bool IsChineseCharacter(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}

/// <summary>A token with the range of the input it comes from (UTF-16 offsets; a special token added around the text has an empty range).</summary>
internal readonly record struct TokenSpan(int Id, int Start, int Stop, bool Special);
