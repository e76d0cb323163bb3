using System.Buffers;

namespace Opskit.Statsd.Protocol;

/// <summary>
/// Etsy's <c>sanitizeKeyName</c> over UTF-8 bytes: runs of whitespace become one <c>_</c>, <c>/</c> becomes
/// <c>-</c>, and everything outside <c>[a-zA-Z_\-0-9.;=]</c> is dropped. Never grows the key, so it works in place.
/// </summary>
internal static class KeySanitizer
{
    /// <summary>Sanitizes <paramref name="key"/> in place and returns the new length.</summary>
    public static int SanitizeInPlace(Span<byte> key)
    {
        var write = 0;
        var inWhitespace = false;
        var read = 0;
        while (read < key.Length)
        {
            var b = key[read];
            if (IsAllowed(b))
            {
                key[write++] = b;
                inWhitespace = false;
                read++;
                continue;
            }

            var ws = JsNumber.WhitespaceLength(key[read..]);
            if (ws > 0)
            {
                if (!inWhitespace)
                {
                    key[write++] = (byte)'_';
                    inWhitespace = true;
                }

                read += ws;
                continue;
            }

            if (b == (byte)'/')
            {
                key[write++] = (byte)'-';
                inWhitespace = false;
                read++;
                continue;
            }

            // Dropped: one whole UTF-8 sequence (a JavaScript char, or a replacement char for bad bytes).
            inWhitespace = false;
            read += SequenceLength(key[read..]);
        }

        return write;
    }

    /// <summary>True when the key needs no change (the common case: skip the copy).</summary>
    public static bool IsClean(ReadOnlySpan<byte> key) => key.IndexOfAnyExcept(Allowed) < 0;

    /// <summary>The bytes a key may hold unchanged.</summary>
    internal static readonly SearchValues<byte> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.;="u8);

    private static bool IsAllowed(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'_' or (byte)'-' or (byte)'.' or (byte)';' or (byte)'=';

    private static int SequenceLength(ReadOnlySpan<byte> s)
    {
        var b = s[0];
        var expected = b switch
        {
            < 0x80 => 1,
            >= 0xC2 and < 0xE0 => 2,
            >= 0xE0 and < 0xF0 => 3,
            >= 0xF0 and < 0xF5 => 4,
            _ => 1,
        };
        var n = 1;
        while (n < expected && n < s.Length && (s[n] & 0xC0) == 0x80)
        {
            n++;
        }

        return n;
    }
}
