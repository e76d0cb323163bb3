using Opskit.Core;

namespace Opskit;

/// <summary>Every tool the <c>opskit</c> command knows. Adding a tool is one line here.</summary>
internal static class ToolRegistry
{
    public static IReadOnlyList<IOpskitTool> All { get; } =
    [
        new Opskit.Cluster.ClusterTool(),
        new Opskit.Edge.EdgeTool(),
        new Opskit.ExecLog.ExecLogTool(),
        new Opskit.PgTop.PgTopTool(),
        new Opskit.ReplCheck.ReplCheckTool(),
        new Opskit.Statsd.StatsdTool(),
        new Opskit.VarnishLog.VlogdumpTool(),
    ];
}
