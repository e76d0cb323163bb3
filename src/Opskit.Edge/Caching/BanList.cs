using System.Text.RegularExpressions;

namespace Opskit.Edge.Caching;

/// <summary>
/// One <c>BAN</c>: objects of <see cref="Host"/> (any host when null) whose path and query starts with
/// <see cref="Prefix"/> and matches <see cref="Pattern"/>, stored before the ban (<see cref="Sequence"/>), are invalid.
/// Immutable; the list runs from the newest ban to the oldest through <see cref="Older"/>.
/// </summary>
internal sealed class Ban(long sequence, string? host, string? prefix, Regex? pattern, Ban? older)
{
    public long Sequence { get; } = sequence;

    public string? Host { get; } = host;

    public string? Prefix { get; } = prefix;

    public Regex? Pattern { get; } = pattern;

    public Ban? Older { get; } = older;

    public bool Matches(CachedObject item)
    {
        if (Host is not null && !string.Equals(item.Host, Host, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (Prefix is not null && !item.PathAndQuery.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            return Pattern is null || Pattern.IsMatch(item.PathAndQuery);
        }
        catch (RegexMatchTimeoutException)
        {
            return true; // Cannot tell: fetching again is the safe answer.
        }
    }

    /// <summary>This ban and the newer part of its list rebuilt without the bans at or below <paramref name="sequence"/>.</summary>
    public Ban? Without(long sequence) =>
        Sequence <= sequence ? null : new Ban(Sequence, Host, Prefix, Pattern, Older?.Without(sequence));
}
