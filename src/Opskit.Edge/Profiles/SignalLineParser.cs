using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Opskit.Edge.Profiles;

/// <summary>One reading signal: who read which article when (Unix seconds).</summary>
internal readonly record struct ReadingSignal(string UserId, string ArticleId, long UnixSeconds);

/// <summary>
/// Parses one line of reading signals: CSV <c>user_id,article_id,timestamp</c> or a JSON object with
/// <c>user_id</c>, <c>article_id</c>, <c>timestamp</c> (also <c>userId</c>/<c>articleId</c>/<c>ts</c>). The timestamp is
/// Unix seconds or ISO 8601. Ids must be non-empty, at most 256 characters, without control characters.
/// </summary>
internal static class SignalLineParser
{
    public const int MaxIdLength = 256;

    public static SignalLineKind TryParse(ReadOnlySpan<byte> line, out ReadingSignal signal)
    {
        signal = default;
        line = line.Trim(" \t\r"u8);
        if (line.IsEmpty)
        {
            return SignalLineKind.Blank;
        }

        return line[0] == (byte)'{' ? TryParseJson(line, out signal) : TryParseCsv(line, out signal);
    }

    private static SignalLineKind TryParseCsv(ReadOnlySpan<byte> line, out ReadingSignal signal)
    {
        signal = default;
        var first = line.IndexOf((byte)',');
        if (first <= 0)
        {
            return SignalLineKind.Malformed;
        }

        var rest = line[(first + 1)..];
        var second = rest.IndexOf((byte)',');
        if (second <= 0)
        {
            return SignalLineKind.Malformed;
        }

        var user = Unquote(line[..first]);
        var article = Unquote(rest[..second]);
        var time = Unquote(rest[(second + 1)..]);
        if (time.IndexOf((byte)',') >= 0)
        {
            return SignalLineKind.Malformed;
        }

        if (user.SequenceEqual("user_id"u8) || user.SequenceEqual("userId"u8))
        {
            return SignalLineKind.Header;
        }

        return Build(user, article, time, out signal);
    }

    private static SignalLineKind TryParseJson(ReadOnlySpan<byte> line, out ReadingSignal signal)
    {
        signal = default;
        string? user = null, article = null;
        long? time = null;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return SignalLineKind.Malformed;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUser = reader.ValueTextEquals("user_id"u8) || reader.ValueTextEquals("userId"u8);
                var isArticle = reader.ValueTextEquals("article_id"u8) || reader.ValueTextEquals("articleId"u8);
                var isTime = reader.ValueTextEquals("timestamp"u8) || reader.ValueTextEquals("ts"u8);
                if (!reader.Read())
                {
                    return SignalLineKind.Malformed;
                }

                if (isUser || isArticle)
                {
                    var value = reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString(),
                        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                        _ => null,
                    };
                    if (isUser)
                    {
                        user = value;
                    }
                    else
                    {
                        article = value;
                    }
                }
                else if (isTime)
                {
                    time = reader.TokenType switch
                    {
                        JsonTokenType.Number when reader.TryGetInt64(out var n) => n,
                        JsonTokenType.String => ParseTime(reader.ValueSpan),
                        _ => null,
                    };
                }
                else
                {
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return SignalLineKind.Malformed;
            }
        }
        catch (JsonException)
        {
            return SignalLineKind.Malformed;
        }

        if (user is null || article is null || time is null || !ValidId(user) || !ValidId(article))
        {
            return SignalLineKind.Malformed;
        }

        signal = new ReadingSignal(user, article, time.Value);
        return SignalLineKind.Signal;
    }

    private static SignalLineKind Build(ReadOnlySpan<byte> user, ReadOnlySpan<byte> article, ReadOnlySpan<byte> time, out ReadingSignal signal)
    {
        signal = default;
        var seconds = ParseTime(time);
        if (seconds is null || user.IsEmpty || article.IsEmpty)
        {
            return SignalLineKind.Malformed;
        }

        string userId, articleId;
        try
        {
            userId = StrictUtf8.GetString(user);
            articleId = StrictUtf8.GetString(article);
        }
        catch (DecoderFallbackException)
        {
            return SignalLineKind.Malformed;
        }

        if (!ValidId(userId) || !ValidId(articleId))
        {
            return SignalLineKind.Malformed;
        }

        signal = new ReadingSignal(userId, articleId, seconds.Value);
        return SignalLineKind.Signal;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    private static long? ParseTime(ReadOnlySpan<byte> text)
    {
        if (Utf8Parser.TryParse(text, out long seconds, out var consumed) && consumed == text.Length)
        {
            return seconds;
        }

        Span<char> chars = stackalloc char[64];
        if (text.IsEmpty || text.Length > chars.Length)
        {
            return null;
        }

        var n = Encoding.UTF8.GetChars(text, chars);
        return DateTimeOffset.TryParse(chars[..n], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.ToUnixTimeSeconds()
            : null;
    }

    private static ReadOnlySpan<byte> Unquote(ReadOnlySpan<byte> field)
    {
        field = field.Trim(" \t"u8);
        return field.Length >= 2 && field[0] == (byte)'"' && field[^1] == (byte)'"' ? field[1..^1] : field;
    }

    private static bool ValidId(string id)
    {
        if (id.Length is 0 or > MaxIdLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>What a signals line turned out to be.</summary>
internal enum SignalLineKind
{
    Signal,
    Blank,
    Header,
    Malformed,
}
