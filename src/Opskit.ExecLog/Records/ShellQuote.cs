using System.Globalization;
using System.Text;

namespace Opskit.ExecLog.Records;

/// <summary>
/// Renders raw argument bytes as a bash word that runs the same argument when pasted and that contains no
/// control character: plain when safe, in single quotes when it only has spaces or shell syntax, and in
/// ANSI-C quotes (<c>$'…'</c>) with <c>\n</c>, <c>\xNN</c> and <c>\uNNNN</c> escapes when it holds control
/// characters (C0, DEL, C1, line and paragraph separators), a single quote or invalid UTF-8. A rendered
/// argument can therefore never start a new log line or fake the end of a field.
/// </summary>
internal static class ShellQuote
{
    /// <summary>One argument as a bash word.</summary>
    public static string Word(ReadOnlySpan<byte> argument)
    {
        var builder = new StringBuilder(argument.Length + 2);
        Append(builder, argument);
        return builder.ToString();
    }

    /// <summary>The whole command line, words separated by one space.</summary>
    public static string Line(IReadOnlyList<byte[]> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        var builder = new StringBuilder();
        for (var i = 0; i < argv.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }

            Append(builder, argv[i]);
        }

        return builder.ToString();
    }

    /// <summary>Appends <paramref name="argument"/> as a bash word.</summary>
    public static void Append(StringBuilder builder, ReadOnlySpan<byte> argument)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (argument.IsEmpty)
        {
            builder.Append("''");
            return;
        }

        switch (Classify(argument))
        {
            case Kind.Plain:
                builder.Append(Encoding.UTF8.GetString(argument));
                return;
            case Kind.SingleQuoted:
                builder.Append('\'').Append(Encoding.UTF8.GetString(argument)).Append('\'');
                return;
            default:
                AppendAnsiC(builder, argument);
                return;
        }
    }

    private enum Kind
    {
        Plain,
        SingleQuoted,
        AnsiC,
    }

    private static Kind Classify(ReadOnlySpan<byte> argument)
    {
        var kind = Kind.Plain;
        var rest = argument;
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(rest, out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return Kind.AnsiC;
            }

            rest = rest[consumed..];
            if (NeedsEscape(rune) || rune.Value == '\'')
            {
                return Kind.AnsiC;
            }

            if (!IsPlain(rune))
            {
                kind = Kind.SingleQuoted;
            }
        }

        return kind;
    }

    /// <summary>
    /// Text (such as the first line of output) with the same escapes as an ANSI-C quoted word but no quotes:
    /// a backslash is doubled, so every escape is unambiguous.
    /// </summary>
    public static string Escaped(ReadOnlySpan<byte> text)
    {
        var builder = new StringBuilder(text.Length);
        AppendEscaped(builder, text, quote: false);
        return builder.ToString();
    }

    private static void AppendAnsiC(StringBuilder builder, ReadOnlySpan<byte> argument)
    {
        builder.Append("$'");
        AppendEscaped(builder, argument, quote: true);
        builder.Append('\'');
    }

    private static void AppendEscaped(StringBuilder builder, ReadOnlySpan<byte> argument, bool quote)
    {
        var rest = argument;
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(rest, out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                // Invalid UTF-8: each byte of the bad sequence as \xNN, so the exact bytes survive.
                for (var i = 0; i < consumed; i++)
                {
                    builder.Append("\\x").Append(rest[i].ToString("x2", CultureInfo.InvariantCulture));
                }

                rest = rest[consumed..];
                continue;
            }

            rest = rest[consumed..];
            switch (rune.Value)
            {
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\\': builder.Append("\\\\"); break;
                case '\'' when quote: builder.Append("\\'"); break;
                default:
                    if (rune.Value < 0x80 && NeedsEscape(rune))
                    {
                        builder.Append("\\x").Append(rune.Value.ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else if (NeedsEscape(rune))
                    {
                        builder.Append("\\u").Append(rune.Value.ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(rune.ToString());
                    }

                    break;
            }
        }
    }

    /// <summary>Characters that could end or fake a log line, or hide text, on a terminal or in a viewer.</summary>
    private static bool NeedsEscape(Rune rune) => rune.Value switch
    {
        < 0x20 or 0x7f => true,
        >= 0x80 and < 0xa0 => true,
        0x2028 or 0x2029 => true,
        >= 0x202a and <= 0x202e => true, // bidirectional overrides
        >= 0x2066 and <= 0x2069 => true, // bidirectional isolates
        _ => false,
    };

    private static bool IsPlain(Rune rune) => rune.Value switch
    {
        >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' => true,
        '_' or '-' or '.' or '/' or ',' or ':' or '@' or '%' or '+' or '=' => true,
        _ => false,
    };
}
