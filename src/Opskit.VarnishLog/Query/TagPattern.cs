using System.Runtime.CompilerServices;
using System.Text;

namespace Opskit.VarnishLog.Query;

/// <summary>
/// One element of a VSL query's tag list: a tag name, or a glob with <c>*</c> at its start (<c>*Header</c>), at its
/// end (<c>Req*</c>) or alone (every tag). Tag names compare ASCII case-insensitively, as varnishlog's do.
/// </summary>
internal sealed class TagPattern
{
    private readonly byte[] _text;
    private readonly bool _prefix;
    private readonly bool _suffix;

    private TagPattern(byte[] text, bool prefix, bool suffix)
    {
        _text = text;
        _prefix = prefix;
        _suffix = suffix;
    }

    /// <summary>Parses one list element; <see cref="FormatException"/> when it is neither a name nor a glob.</summary>
    public static TagPattern Parse(string element, string context)
    {
        var prefix = element.Length > 0 && element[^1] == '*';
        var suffix = !prefix && element.Length > 0 && element[0] == '*';
        var name = prefix ? element[..^1] : suffix ? element[1..] : element;
        if (element == "*")
        {
            return new TagPattern([], prefix: true, suffix: false);
        }

        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new FormatException($"'{element}' in {context} is not a tag or a tag glob");
        }

        return new TagPattern(Encoding.ASCII.GetBytes(name), prefix, suffix);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Matches(ReadOnlySpan<byte> tag)
    {
        if (_prefix)
        {
            return tag.Length >= _text.Length && Ascii.EqualsIgnoreCase(tag[.._text.Length], _text);
        }

        if (_suffix)
        {
            return tag.Length >= _text.Length && Ascii.EqualsIgnoreCase(tag[^_text.Length..], _text);
        }

        return Ascii.EqualsIgnoreCase(tag, _text);
    }
}

/// <summary>The tags a query reads, all lists together: the assembler keeps the records of these tags only.</summary>
internal sealed class TagPatternSet
{
    private readonly TagPattern[] _patterns;

    public TagPatternSet(IEnumerable<TagPattern> patterns) => _patterns = [.. patterns];

    public static TagPatternSet None { get; } = new([]);

    public bool IsEmpty => _patterns.Length == 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Matches(ReadOnlySpan<byte> tag)
    {
        foreach (var pattern in _patterns)
        {
            if (pattern.Matches(tag))
            {
                return true;
            }
        }

        return false;
    }
}
