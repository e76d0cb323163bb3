using System.Globalization;
using System.Text;

namespace Opskit.Cluster.Embeddings;

/// <summary>
/// Uncased BERT WordPiece, as sentence-transformers and transformers.js run it for all-MiniLM-L6-v2:
/// clean control characters, space out CJK ideographs, lower-case, strip accents, split on whitespace
/// and punctuation, then greedy longest-match word pieces with <c>##</c> continuations; a word over
/// 100 characters or with an unknown piece becomes <c>[UNK]</c>. Output is <c>[CLS] … [SEP]</c>,
/// truncated so that both specials fit. Thread-safe: the vocabulary is read-only after construction.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers 2.0.1 BertTokenizer was tried first against the golden file and differed on 8
/// of 21 items: accented Latin and Greek became <c>[UNK]</c> (it strips accents with
/// <see cref="string.Normalize()"/>, a no-op under InvariantGlobalization), tabs and newlines were not
/// word breaks, <c>=</c>, <c>©</c>, <c>®</c>, <c>™</c> and the emoji were dropped, and kana split
/// differently. This implementation matches all 21 and allocates nothing per sentence beyond pooled buffers.
/// </remarks>
internal sealed class WordPieceTokenizer
{
    /// <summary>Longest word (in code points) that is split into pieces; longer words are <c>[UNK]</c>.</summary>
    public const int MaxInputCharsPerWord = 100;

    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _words;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuations;

    private readonly (string Content, int Id)[] _addedTokens;
    private readonly string[] _tokens;

    private WordPieceTokenizer(Dictionary<string, int> words, Dictionary<string, int> continuations, int cls, int sep, int unk, int pad, (string Content, int Id)[] addedTokens)
    {
        _addedTokens = addedTokens;
        var size = 0;
        foreach (var id in words.Values)
        {
            size = Math.Max(size, id + 1);
        }

        foreach (var id in continuations.Values)
        {
            size = Math.Max(size, id + 1);
        }

        _tokens = new string[size];
        foreach (var (word, id) in words)
        {
            _tokens[id] = word;
        }

        foreach (var (piece, id) in continuations)
        {
            _tokens[id] = "##" + piece;
        }
        _words = words.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuations = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
        ClsId = cls;
        SepId = sep;
        UnkId = unk;
        PadId = pad;
        VocabularySize = words.Count + continuations.Count;
    }

    public int ClsId { get; }

    public int SepId { get; }

    public int UnkId { get; }

    public int PadId { get; }

    public int VocabularySize { get; }

    /// <summary>Builds a tokenizer from the text of a BERT <c>vocab.txt</c> (one token per line, LF or CRLF).</summary>
    public static WordPieceTokenizer FromVocabulary(string vocabText)
    {
        ArgumentNullException.ThrowIfNull(vocabText);
        var words = new Dictionary<string, int>(32_000, StringComparer.Ordinal);
        var continuations = new Dictionary<string, int>(8_000, StringComparer.Ordinal);
        var id = 0;
        foreach (var rawLine in vocabText.AsSpan().EnumerateLines())
        {
            var token = rawLine.TrimEnd('\r');
            if (token.Length == 0 && id > 0 && rawLine.Length == 0)
            {
                // Trailing newline at the end of the file: not a token.
                id++;
                continue;
            }

            if (token.StartsWith("##", StringComparison.Ordinal) && token.Length > 2)
            {
                continuations.TryAdd(token[2..].ToString(), id);
            }
            else
            {
                words.TryAdd(token.ToString(), id);
            }

            id++;
        }

        int Special(string name) => words.TryGetValue(name, out var value)
            ? value
            : throw new InvalidDataException($"vocab.txt has no {name} token");

        // The added tokens of every BERT tokenizer.json (all special, normalized=false, no strip flags); the
        // longest first, so that a spelling that starts another is never cut short.
        var added = new List<(string, int)>();
        foreach (var name in (string[])["[MASK]", "[CLS]", "[SEP]", "[PAD]", "[UNK]"])
        {
            if (words.TryGetValue(name, out var addedId))
            {
                added.Add((name, addedId));
            }
        }

        return new WordPieceTokenizer(words, continuations, Special("[CLS]"), Special("[SEP]"), Special("[UNK]"), Special("[PAD]"), [.. added]);
    }

    /// <summary>
    /// Writes <c>[CLS]</c>, the word-piece ids of <paramref name="text"/> and <c>[SEP]</c> into
    /// <paramref name="ids"/>, truncating so the whole sequence fits; returns the number written.
    /// </summary>
    public int Encode(ReadOnlySpan<char> text, Span<int> ids)
    {
        if (ids.Length < 2)
        {
            throw new ArgumentException("room for [CLS] and [SEP] is needed", nameof(ids));
        }

        var normalized = new CharBuffer(text.Length + 16);
        try
        {
            var count = 0;
            ids[count++] = ClsId;
            var limit = ids.Length - 1;
            // As Hugging Face tokenizers: the raw text is first split on the added tokens ([CLS], [SEP], [PAD],
            // [MASK], [UNK]: special, normalized=false, so matched case-sensitively anywhere, even inside a
            // word), which become their own ids; only the text between them is normalized and word-pieced.
            var rest = text;
            while (count < limit)
            {
                var (at, length, id) = NextAddedToken(rest);
                var segment = at < 0 ? rest : rest[..at];
                normalized.Clear();
                Normalize(segment, ref normalized);
                count = AppendSegment(normalized.Span, ids, count, limit);
                if (at < 0)
                {
                    break;
                }

                if (count < limit)
                {
                    ids[count++] = id;
                }

                rest = rest[(at + length)..];
            }

            ids[count++] = SepId;
            return count;
        }
        finally
        {
            normalized.Dispose();
        }
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

        var origins = new List<(int Start, int End)>();
        var pieces = new List<(int Start, int End)>();
        var normalized = new CharBuffer(text.Length + 16);
        var ids = new int[(text.Length * 4) + 8];
        try
        {
            var at = 0;
            while (true)
            {
                var (found, length, id) = NextAddedToken(text.AsSpan(at));
                var segment = found < 0 ? text.AsSpan(at) : text.AsSpan(at, found);
                normalized.Clear();
                origins.Clear();
                pieces.Clear();
                Normalize(segment, ref normalized, origins, at);
                var count = AppendSegment(normalized.Span, ids, 0, ids.Length, pieces);
                for (var i = 0; i < count; i++)
                {
                    var (start, end) = pieces[i];
                    result.Add(new TokenSpan(ids[i], origins[start].Start, origins[end - 1].End, false));
                }

                if (found < 0)
                {
                    break;
                }

                result.Add(new TokenSpan(id, at + found, at + found + length, true));
                at += found + length;
            }
        }
        finally
        {
            normalized.Dispose();
        }

        if (addSpecialTokens)
        {
            result.Add(new TokenSpan(SepId, text.Length, text.Length, true));
        }

        return result;
    }

    /// <summary>The spelling of token <paramref name="id"/> in the vocabulary (<c>##</c> included), or null when there is none.</summary>
    public string? TokenText(int id) => (uint)id < (uint)_tokens.Length ? _tokens[id] : null;

    /// <summary>True for the added (special) tokens.</summary>
    public bool IsSpecial(int id)
    {
        foreach (var (_, added) in _addedTokens)
        {
            if (added == id)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Text of <paramref name="ids"/> as Hugging Face's WordPiece decoder writes it: tokens joined by spaces,
    /// <c>##</c> pieces glued to the one before, then its clean-up of spaces before punctuation and contractions.
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
            if (token.StartsWith("##", StringComparison.Ordinal) && token.Length > 2)
            {
                builder.Append(token, 2, token.Length - 2);
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

    /// <summary>Where the first added token starts in <paramref name="text"/>, its length and id; (-1, 0, 0) when none does.</summary>
    private (int At, int Length, int Id) NextAddedToken(ReadOnlySpan<char> text)
    {
        var offset = 0;
        while (true)
        {
            var bracket = text[offset..].IndexOf('[');
            if (bracket < 0)
            {
                return (-1, 0, 0);
            }

            var at = offset + bracket;
            foreach (var (content, id) in _addedTokens)
            {
                if (text[at..].StartsWith(content, StringComparison.Ordinal))
                {
                    return (at, content.Length, id);
                }
            }

            offset = at + 1;
        }
    }

    /// <summary>Splits normalized text on spaces and punctuation and appends the word pieces of each word.</summary>
    private int AppendSegment(ReadOnlySpan<char> span, Span<int> ids, int count, int limit, List<(int Start, int End)>? pieces = null)
    {
        var start = 0;
        for (var i = 0; i <= span.Length && count < limit;)
        {
            if (i == span.Length || span[i] == ' ')
            {
                count = AppendWord(span[start..i], ids, count, limit, start, pieces);
                start = ++i;
                continue;
            }

            Rune.DecodeFromUtf16(span[i..], out var rune, out var consumed);
            if (IsPunctuation(rune))
            {
                count = AppendWord(span[start..i], ids, count, limit, start, pieces);
                count = AppendWord(span.Slice(i, consumed), ids, count, limit, i, pieces);
                i += consumed;
                start = i;
                continue;
            }

            i += consumed;
        }

        return count;
    }

    /// <summary>Number of tokens (with specials) <paramref name="text"/> has before truncation, capped at <paramref name="cap"/>.</summary>
    public int CountTokens(ReadOnlySpan<char> text, int cap)
    {
        Span<int> scratch = stackalloc int[Math.Min(cap, 512)];
        return Encode(text, scratch);
    }

    private static void Normalize(ReadOnlySpan<char> text, ref CharBuffer output, List<(int Start, int End)>? origins = null, int baseOffset = 0)
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

    private static void NormalizeRune(Rune rune, ref CharBuffer output)
    {
        var value = rune.Value;
        if (value < 0x80)
        {
            // ASCII fast path: the only changes are whitespace, controls and upper case.
            // Only these four are whitespace to BERT; \v and \f are control characters (category Cc) and
            // clean_text removes them, as both reference implementations do.
            if (value is '\t' or '\n' or '\r' or ' ')
            {
                output.Append(' ');
            }
            else if (value is 0 or < 0x20 or 0x7F)
            {
                // Control characters are removed (BERT's clean_text).
            }
            else
            {
                output.Append(value is >= 'A' and <= 'Z' ? (char)(value + 32) : (char)value);
            }

            return;
        }

        if (value == 0xFFFD || IsControl(rune))
        {
            return;
        }

        if (IsWhitespace(rune))
        {
            output.Append(' ');
        }
        else if (IsChineseCharacter(value))
        {
            // Spaced out first, then normalized like any character: a CJK compatibility ideograph such as
            // U+FA26 decomposes (NFD) to its unified ideograph, U+90FD, which is in the vocabulary.
            output.Append(' ');
            AccentFolding.Append(rune, ref output);
            output.Append(' ');
        }
        else if (value == 0x130)
        {
            // İ: full lower-casing gives i + U+0307 and accent stripping drops the mark; .NET's invariant
            // lower-casing leaves İ as it is (it keeps the Turkish i mappings out).
            output.Append('i');
        }
        else
        {
            AccentFolding.Append(Rune.ToLowerInvariant(rune), ref output);
        }
    }

    /// <remarks><paramref name="pieces"/>, when given, receives the range of each id written in the normalized text (<paramref name="offset"/> is where <paramref name="word"/> starts in it).</remarks>
    private int AppendWord(ReadOnlySpan<char> word, Span<int> ids, int count, int limit, int offset = 0, List<(int Start, int End)>? pieces = null)
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
                ids[count++] = UnkId;
                pieces?.Add((offset, offset + word.Length));
                return count;
            }
        }

        // Greedy longest match first; an unmatched remainder makes the whole word [UNK].
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
                ids[count] = UnkId;
                if (pieces is not null)
                {
                    pieces.RemoveRange(pieces.Count - (written - count), written - count);
                    pieces.Add((offset, offset + word.Length));
                }

                return count + 1;
            }

            if (written < limit)
            {
                ids[written++] = found;
                pieces?.Add((offset + start, offset + end));
            }

            start = end;
        }

        return written;
    }

    private static bool IsControl(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;

    private static bool IsWhitespace(Rune rune) =>
        rune.Value == 0xFEFF || Rune.GetUnicodeCategory(rune) is UnicodeCategory.SpaceSeparator
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

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
