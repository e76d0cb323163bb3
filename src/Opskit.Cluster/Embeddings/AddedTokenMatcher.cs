using System.Buffers;
using System.Globalization;
using System.Text;

namespace Opskit.Cluster.Embeddings;

/// <summary>
/// Finds added tokens in text as Hugging Face's <c>AddedVocabulary</c> does: leftmost, and of those the longest;
/// a <c>single_word</c> token touching a word character on either side is passed over (the search goes on after
/// it); <c>lstrip</c>/<c>rstrip</c> widen a match over the whitespace beside it. Allocates nothing.
/// </summary>
internal sealed class AddedTokenMatcher
{
    private readonly Entry[] _entries;
    private readonly SearchValues<char> _firstChars;

    public AddedTokenMatcher(IEnumerable<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        // Longest first, so that the first spelling that matches at a position is the longest there.
        _entries = [.. entries.Where(e => e.Text.Length > 0).OrderByDescending(e => e.Text.Length)];
        _firstChars = SearchValues.Create([.. _entries.Select(e => e.Text[0]).Distinct()]);
    }

    public bool IsEmpty => _entries.Length == 0;

    /// <summary>The first match in <paramref name="text"/> at or after <paramref name="from"/> (where the previous match ended).</summary>
    public Match Next(ReadOnlySpan<char> text, int from)
    {
        var position = from;
        while (position < text.Length && !IsEmpty)
        {
            var found = text[position..].IndexOfAny(_firstChars);
            if (found < 0)
            {
                break;
            }

            var at = position + found;
            var entry = -1;
            for (var i = 0; i < _entries.Length; i++)
            {
                if (text[at..].StartsWith(_entries[i].Text, StringComparison.Ordinal))
                {
                    entry = i;
                    break;
                }
            }

            if (entry < 0)
            {
                position = at + 1;
                continue;
            }

            var token = _entries[entry].Token;
            var start = at;
            var end = at + _entries[entry].Text.Length;
            if (token.SingleWord && (EndsWithWordCharacter(text[..start]) || StartsWithWordCharacter(text[end..])))
            {
                position = end;
                continue;
            }

            if (token.Lstrip)
            {
                // Not into what the previous match took.
                while (start > from && WordPieceTokenizer.IsWhiteSpaceProperty(text[start - 1]))
                {
                    start--;
                }
            }

            if (token.Rstrip)
            {
                while (end < text.Length && WordPieceTokenizer.IsWhiteSpaceProperty(text[end]))
                {
                    end++;
                }
            }

            return new Match(true, start, end, token);
        }

        return default;
    }

    /// <summary>Regex <c>\w</c> over Unicode, as the Rust <c>regex</c> crate defines it: letters, marks, decimal digits, connector punctuation, joiners.</summary>
    private static bool IsWordCharacter(Rune rune) =>
        rune.Value is 0x200C or 0x200D
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.ConnectorPunctuation;

    private static bool EndsWithWordCharacter(ReadOnlySpan<char> text) =>
        Rune.DecodeLastFromUtf16(text, out var rune, out _) == OperationStatus.Done && IsWordCharacter(rune);

    private static bool StartsWithWordCharacter(ReadOnlySpan<char> text) =>
        Rune.DecodeFromUtf16(text, out var rune, out _) == OperationStatus.Done && IsWordCharacter(rune);

    /// <summary>An added token's spelling (normalized, for a token matched in normalized text) and the token.</summary>
    internal readonly record struct Entry(string Text, AddedToken Token);

    /// <summary>Where a token was found; <see cref="Start"/>..<see cref="End"/> includes whitespace it strips.</summary>
    internal readonly record struct Match(bool Found, int Start, int End, AddedToken Token);
}
