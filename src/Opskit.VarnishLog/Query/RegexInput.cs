using System.Text;
using System.Text.RegularExpressions;

namespace Opskit.VarnishLog.Query;

/// <summary>
/// Matches user regexes against UTF-8 log bytes through one reused character buffer. Regexes use
/// <see cref="RegexOptions.NonBacktracking"/>: linear time whatever the pattern and the input.
/// </summary>
internal sealed class RegexInput
{
    private char[] _chars = new char[1024];

    /// <summary>Compiles a user's pattern; a <see cref="FormatException"/> names the option and the problem.</summary>
    public static Regex Compile(string pattern, string option)
    {
        try
        {
            return new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            throw new FormatException($"{option}: invalid regular expression '{pattern}': {ex.Message}", ex);
        }
    }

    public bool IsMatch(Regex regex, ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > _chars.Length)
        {
            _chars = new char[Math.Max(utf8.Length, _chars.Length * 2)];
        }

        var length = Encoding.UTF8.GetChars(utf8, _chars);
        return regex.IsMatch(_chars.AsSpan(0, length));
    }
}
