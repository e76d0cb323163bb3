using System.Text;
using Opskit.ExecLog.Records;
using Opskit.ExecLog.Running;

namespace Opskit.ExecLog.Integration;

/// <summary>
/// <c>opskit execlog nrpe-config</c>: an nrpe.cfg fragment with one <c>command[NAME]</c> per executable plugin
/// in a directory, each run through the wrapper with its name as a tag. NRPE runs the line through
/// <c>/bin/sh -c</c>, so paths are shell-quoted; <c>$ARG1$</c> is passed on only with <c>--with-args</c>
/// (which needs <c>dont_blame_nrpe=1</c> in NRPE and is off by default there for good reasons).
/// </summary>
internal static class NrpeConfig
{
    /// <summary>The fragment for the plugins in <paramref name="pluginDirectory"/>.</summary>
    public static string Render(string pluginDirectory, string opskit, bool withArgs, IReadOnlyList<string> extraOptions)
    {
        ArgumentNullException.ThrowIfNull(extraOptions);
        var plugins = new List<string>();
        foreach (var file in Directory.EnumerateFiles(pluginDirectory))
        {
            var mode = UnixMode.Of(file);
            if ((mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                plugins.Add(file);
            }
        }

        plugins.Sort(StringComparer.Ordinal);
        var text = new StringBuilder();
        text.Append("# nrpe.cfg fragment from: opskit execlog nrpe-config --plugins ").Append(Word(pluginDirectory)).Append('\n');
        text.Append("# Every plugin runs through opskit execlog, which records the run and returns the plugin's exit code and output unchanged.\n");
        text.Append("# Add each check's arguments after the plugin path (or use --with-args and dont_blame_nrpe=1).\n");
        foreach (var plugin in plugins)
        {
            var name = CommandName(Path.GetFileName(plugin));
            text.Append("command[").Append(name).Append("]=").Append(opskit).Append(" execlog");
            foreach (var option in extraOptions)
            {
                text.Append(' ').Append(Word(option));
            }

            text.Append(" --tag nrpe_command=").Append(Word(name)).Append(" -- ").Append(Word(plugin));
            if (withArgs)
            {
                text.Append(" $ARG1$");
            }

            text.Append('\n');
        }

        if (plugins.Count == 0)
        {
            text.Append("# (no executable files found)\n");
        }

        return text.ToString();
    }

    /// <summary>NRPE command names cannot hold ']' or spaces; anything outside [A-Za-z0-9_.-] becomes '_'.</summary>
    private static string CommandName(string fileName)
    {
        var chars = fileName.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] is not (>= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '.' or '-'))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private static string Word(string value) => ShellQuote.Word(Encoding.UTF8.GetBytes(value));
}
