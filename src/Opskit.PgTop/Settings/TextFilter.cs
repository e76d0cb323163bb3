using System.Text.RegularExpressions;

namespace Opskit.PgTop.Settings;

/// <summary>A filter value: a plain string matches as a case-insensitive substring, <c>/regex/</c> as a regular expression.</summary>
internal sealed class TextFilter
{
    private readonly string? _text;
    private readonly Regex? _regex;

    private TextFilter(string source, string? text, Regex? regex)
    {
        Source = source;
        _text = text;
        _regex = regex;
    }

    public string Source { get; }

    /// <summary>Parses a filter; throws <see cref="FormatException"/> for an invalid regular expression.</summary>
    public static TextFilter Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length >= 2 && value[0] == '/' && value[^1] == '/')
        {
            try
            {
                // NonBacktracking: matching is linear in the input whatever the user's pattern, so no timeout is needed.
                return new TextFilter(value, null, new Regex(value[1..^1], RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant));
            }
            catch (ArgumentException ex)
            {
                throw new FormatException($"invalid regular expression {value}: {ex.Message}", ex);
            }
        }

        return new TextFilter(value, value, null);
    }

    public bool Matches(string? value)
    {
        value ??= string.Empty;
        return _regex is not null ? _regex.IsMatch(value) : value.Contains(_text!, StringComparison.OrdinalIgnoreCase);
    }

    public override string ToString() => Source;
}
