using System.Text;

namespace Opskit.PgTop.Collection;

/// <summary>
/// Query texts arrive as raw bytes (<c>textsend</c>): <c>pg_stat_activity</c> keeps each backend's text in its own
/// database's encoding, so a session of a LATIN1 database sends bytes that are not UTF-8, and reading them as
/// text made the whole refresh fail. Valid UTF-8 is decoded as such; anything else as Latin-1, which maps every
/// byte (right for LATIN1/WIN1252 databases, readable enough for the rest) and never fails.
/// </summary>
internal static class QueryTextDecoder
{
    public static string Decode(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return Encoding.UTF8.GetString(bytes);
        }

        return Encoding.Latin1.GetString(bytes);
    }
}
