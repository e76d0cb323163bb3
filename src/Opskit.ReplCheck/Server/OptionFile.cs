namespace Opskit.ReplCheck.Server;

/// <summary>
/// Reads the <c>[client]</c> group of a MySQL option file (<c>~/.my.cnf</c>, <c>--defaults-file</c>) the way the mysql
/// client does: <c>key = value</c> or a bare <c>key</c>, <c>#</c> and <c>;</c> comments, optional quotes, dashes
/// and underscores equivalent in keys. <c>!include</c> directives are ignored.
/// </summary>
internal static class OptionFile
{
    /// <summary>The values of <paramref name="groups"/> in file order (later lines win), keys normalized to dashes.</summary>
    public static Dictionary<string, string> Read(string path, params string[] groups)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var inGroup = false;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';' or '!')
            {
                continue;
            }

            if (line[0] == '[')
            {
                var end = line.IndexOf(']', StringComparison.Ordinal);
                var name = end > 0 ? line[1..end].Trim() : string.Empty;
                inGroup = Array.Exists(groups, g => string.Equals(g, name, StringComparison.OrdinalIgnoreCase));
                continue;
            }

            if (!inGroup)
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var key = (equals < 0 ? line : line[..equals]).Trim().Replace('_', '-');
            var value = equals < 0 ? string.Empty : Unquote(line[(equals + 1)..].Trim());
            if (key.Length > 0)
            {
                values[key] = value;
            }
        }

        return values;
    }

    private static string Unquote(string value)
    {
        if (value.Length >= 2 && (value[0] is '"' or '\'') && value[^1] == value[0])
        {
            return value[1..^1].Replace("\\\\", "\\", StringComparison.Ordinal);
        }

        // An unquoted value ends at a comment that follows whitespace.
        var hash = value.IndexOf(" #", StringComparison.Ordinal);
        return hash >= 0 ? value[..hash].TrimEnd() : value;
    }
}
