using System.Globalization;
using Opskit.PgTop.Model;

namespace Opskit.PgTop.Output;

/// <summary>The lock tree drawn as indented lines; each line knows its pid and its root blocker's pid.</summary>
internal static class LockTreeLines
{
    internal readonly record struct Line(int Pid, int RootPid, int Depth, string Text);

    public static List<Line> Build(IReadOnlyList<LockNode> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        var lines = new List<Line>();
        foreach (var root in roots)
        {
            var s = root.Session;
            lines.Add(new Line(root.Pid, root.Pid, 0, string.Create(CultureInfo.InvariantCulture,
                $"{root.Pid} [root] {s.User}@{s.Database} {s.State} blocks {root.BlockedCount}, longest wait {Formatting.Duration(root.MaxWaitSeconds)}: {Formatting.OneLine(s.Query)}")));
            Children(root, root.Pid, 1, "", lines);
        }

        return lines;
    }

    private static void Children(LockNode node, int rootPid, int depth, string indent, List<Line> lines)
    {
        for (var i = 0; i < node.Blocked.Count; i++)
        {
            var child = node.Blocked[i];
            var last = i == node.Blocked.Count - 1;
            var s = child.Session;
            var below = child.BlockedCount > 0 ? $" blocks {child.BlockedCount}," : string.Empty;
            lines.Add(new Line(child.Pid, rootPid, depth, string.Create(CultureInfo.InvariantCulture,
                $"{indent}{(last ? "└─ " : "├─ ")}{child.Pid} {s.User}@{s.Database} waits {Formatting.Duration(s.LockWaitOrQueryAgeSeconds)} on {s.WaitEvent}{below}: {Formatting.OneLine(s.Query)}")));
            Children(child, rootPid, depth + 1, indent + (last ? "   " : "│  "), lines);
        }
    }
}
