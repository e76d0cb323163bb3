using System.Globalization;
using System.Text;

namespace Opskit.Statsd.Protocol;

/// <summary>
/// JavaScript's <c>Number(string)</c> and <c>String(number)</c> over UTF-8 bytes, because Etsy statsd
/// validates and converts every value with them and prints every number with them: matching Etsy "to
/// the last digit" means matching these two functions, including their odd corners (hex literals,
/// <c>Infinity</c>, whitespace-only strings, exponent forms).
/// </summary>
internal static class JsNumber
{
    private static ReadOnlySpan<byte> InfinityText => "Infinity"u8;

    /// <summary>
    /// <c>Number(text)</c>; returns false when JavaScript would return <c>NaN</c>. Whitespace-only (and empty)
    /// text is 0, as in JavaScript.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out double value)
    {
        // Fast path: the common statsd value is a short integer; exact as a double below 2^53.
        if (text.Length is > 0 and <= 15 && TryParseSmallInteger(text, out value))
        {
            return true;
        }

        text = Trim(text);
        value = 0;
        if (text.IsEmpty)
        {
            return true;
        }

        if (text.Length > 2 && text[0] == (byte)'0')
        {
            var radix = (text[1] | 0x20) switch
            {
                (byte)'x' => 16,
                (byte)'o' => 8,
                (byte)'b' => 2,
                _ => 0,
            };
            if (radix != 0)
            {
                return TryParseRadix(text[2..], radix, out value);
            }
        }

        var sign = 1.0;
        var body = text;
        if (body[0] is (byte)'+' or (byte)'-')
        {
            sign = body[0] == (byte)'-' ? -1.0 : 1.0;
            body = body[1..];
        }

        if (body.SequenceEqual(InfinityText))
        {
            value = sign * double.PositiveInfinity;
            return true;
        }

        if (!IsDecimalLiteral(body))
        {
            return false;
        }

        // .NET's parser is IEEE round-to-nearest, like V8's; the grammar check above keeps out
        // what .NET would accept and JavaScript would not (thousands separators, "∞", ...).
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }

        return true;
    }

    /// <summary>JavaScript's <c>String.prototype.trim</c> whitespace (the regex <c>\s</c> set).</summary>
    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> text)
    {
        var start = 0;
        while (start < text.Length)
        {
            var n = WhitespaceLength(text[start..]);
            if (n == 0)
            {
                break;
            }

            start += n;
        }

        var end = text.Length;
        while (end > start)
        {
            var n = TrailingWhitespaceLength(text[start..end]);
            if (n == 0)
            {
                break;
            }

            end -= n;
        }

        return text[start..end];
    }

    /// <summary>
    /// Byte length of the JavaScript whitespace character at the start of <paramref name="text"/>, or 0.
    /// Covers <c>[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]</c>.
    /// </summary>
    public static int WhitespaceLength(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty)
        {
            return 0;
        }

        var b = text[0];
        if (b < 0x80)
        {
            return b is (byte)' ' or (>= 0x09 and <= 0x0D) ? 1 : 0;
        }

        if (b == 0xC2)
        {
            return text.Length >= 2 && text[1] == 0xA0 ? 2 : 0;
        }

        if (text.Length < 3)
        {
            return 0;
        }

        var b1 = text[1];
        var b2 = text[2];
        return b switch
        {
            0xE1 when b1 == 0x9A && b2 == 0x80 => 3,
            0xE2 when b1 == 0x80 && (b2 <= 0x8A || b2 is 0xA8 or 0xA9 or 0xAF) && b2 >= 0x80 => 3,
            0xE2 when b1 == 0x81 && b2 == 0x9F => 3,
            0xE3 when b1 == 0x80 && b2 == 0x80 => 3,
            0xEF when b1 == 0xBB && b2 == 0xBF => 3,
            _ => 0,
        };
    }

    private static int TrailingWhitespaceLength(ReadOnlySpan<byte> text)
    {
        var last = text[^1];
        if (last < 0x80)
        {
            return WhitespaceLength(text[^1..]);
        }

        if (text.Length >= 2 && WhitespaceLength(text[^2..]) == 2)
        {
            return 2;
        }

        return text.Length >= 3 && WhitespaceLength(text[^3..]) == 3 ? 3 : 0;
    }

    private static bool TryParseSmallInteger(ReadOnlySpan<byte> text, out double value)
    {
        var negative = text[0] == (byte)'-';
        var i = negative ? 1 : 0;
        if (i == text.Length)
        {
            value = 0;
            return false;
        }

        long n = 0;
        for (; i < text.Length; i++)
        {
            var d = (uint)(text[i] - '0');
            if (d > 9)
            {
                value = 0;
                return false;
            }

            n = (n * 10) + d;
        }

        // "-0" is negative zero in JavaScript.
        value = negative ? -(double)n : n;
        return true;
    }

    private static bool IsDecimalLiteral(ReadOnlySpan<byte> s)
    {
        var i = 0;
        var intDigits = 0;
        while (i < s.Length && IsDigit(s[i]))
        {
            i++;
            intDigits++;
        }

        var fracDigits = 0;
        if (i < s.Length && s[i] == (byte)'.')
        {
            i++;
            while (i < s.Length && IsDigit(s[i]))
            {
                i++;
                fracDigits++;
            }
        }

        if (intDigits + fracDigits == 0)
        {
            return false;
        }

        if (i < s.Length && (s[i] | 0x20) == (byte)'e')
        {
            i++;
            if (i < s.Length && s[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            var expDigits = 0;
            while (i < s.Length && IsDigit(s[i]))
            {
                i++;
                expDigits++;
            }

            if (expDigits == 0)
            {
                return false;
            }
        }

        return i == s.Length;
    }

    private static bool TryParseRadix(ReadOnlySpan<byte> digits, int radix, out double value)
    {
        value = 0;
        foreach (var c in digits)
        {
            int d;
            if (IsDigit(c))
            {
                d = c - '0';
            }
            else if ((c | 0x20) is >= (byte)'a' and <= (byte)'f')
            {
                d = (c | 0x20) - 'a' + 10;
            }
            else
            {
                return false;
            }

            if (d >= radix)
            {
                return false;
            }

            value = (value * radix) + d;
        }

        return true;
    }

    private static bool IsDigit(byte c) => c is >= (byte)'0' and <= (byte)'9';

    /// <summary>Maximum bytes <see cref="Format(double, Span{byte})"/> writes.</summary>
    public const int MaxFormattedLength = 32;

    /// <summary>
    /// Writes <c>String(value)</c>: the shortest round-trip digits (same as .NET "R"), laid out as
    /// ECMAScript Number::toString does (fixed notation for 1e-7 &lt;= |v| &lt; 1e21, else <c>1.5e-7</c>/<c>1e+21</c>).
    /// </summary>
    public static int Format(double value, Span<byte> destination)
    {
        if (double.IsNaN(value))
        {
            return Copy("NaN"u8, destination);
        }

        if (double.IsInfinity(value))
        {
            return Copy(value > 0 ? "Infinity"u8 : "-Infinity"u8, destination);
        }

        if (value == 0)
        {
            destination[0] = (byte)'0';
            return 1;
        }

        // Integers that fit are the common case (counts, timings in ms): skip the digit surgery.
        if (Math.Abs(value) < 1e15 && value == Math.Floor(value))
        {
            ((long)value).TryFormat(destination, out var written, default, CultureInfo.InvariantCulture);
            return written;
        }

        Span<byte> r = stackalloc byte[40];
        value.TryFormat(r, out var len, "R", CultureInfo.InvariantCulture);
        r = r[..len];
        var pos = 0;
        if (r[0] == (byte)'-')
        {
            destination[pos++] = (byte)'-';
            r = r[1..];
        }

        var exponent = 0;
        var e = r.IndexOf((byte)'E');
        if (e >= 0)
        {
            exponent = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }

        Span<byte> digits = stackalloc byte[24];
        var k = 0;
        var intLength = r.IndexOf((byte)'.');
        if (intLength < 0)
        {
            intLength = r.Length;
        }

        var leading = true;
        foreach (var c in r)
        {
            if (c == (byte)'.')
            {
                continue;
            }

            if (leading && c == (byte)'0')
            {
                intLength--;
                continue;
            }

            leading = false;
            digits[k++] = c;
        }

        while (k > 1 && digits[k - 1] == (byte)'0')
        {
            k--;
        }

        var n = intLength + exponent;
        if (k <= n && n <= 21)
        {
            digits[..k].CopyTo(destination[pos..]);
            pos += k;
            for (var i = 0; i < n - k; i++)
            {
                destination[pos++] = (byte)'0';
            }
        }
        else if (n is > 0 and <= 21)
        {
            digits[..n].CopyTo(destination[pos..]);
            pos += n;
            destination[pos++] = (byte)'.';
            digits[n..k].CopyTo(destination[pos..]);
            pos += k - n;
        }
        else if (n is > -6 and <= 0)
        {
            destination[pos++] = (byte)'0';
            destination[pos++] = (byte)'.';
            for (var i = 0; i < -n; i++)
            {
                destination[pos++] = (byte)'0';
            }

            digits[..k].CopyTo(destination[pos..]);
            pos += k;
        }
        else
        {
            destination[pos++] = digits[0];
            if (k > 1)
            {
                destination[pos++] = (byte)'.';
                digits[1..k].CopyTo(destination[pos..]);
                pos += k - 1;
            }

            destination[pos++] = (byte)'e';
            var exp = n - 1;
            destination[pos++] = exp < 0 ? (byte)'-' : (byte)'+';
            Math.Abs(exp).TryFormat(destination[pos..], out var w, default, CultureInfo.InvariantCulture);
            pos += w;
        }

        return pos;
    }

    /// <summary><c>String(value)</c> as a .NET string (flush and management paths, not per packet).</summary>
    public static string ToJsString(double value)
    {
        Span<byte> buffer = stackalloc byte[MaxFormattedLength];
        var n = Format(value, buffer);
        return Encoding.ASCII.GetString(buffer[..n]);
    }

    private static int Copy(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        text.CopyTo(destination);
        return text.Length;
    }
}
