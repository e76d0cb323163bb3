using Opskit.ReplCheck.Rules;
using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck;

/// <summary>Everything one run needs, resolved from the command line, option files and the environment.</summary>
/// <param name="Connection">The server to check.</param>
/// <param name="Primary">The primary for the binlog retention check, or null.</param>
/// <param name="Thresholds">Lag and retention limits.</param>
/// <param name="Format">Output format.</param>
/// <param name="PrintConfig">Print the <c>my.cnf</c> fragment instead of the checks.</param>
public sealed record ReplCheckOptions(
    ConnectionSettings Connection,
    ConnectionSettings? Primary,
    CheckThresholds Thresholds,
    ReportFormat Format,
    bool PrintConfig);

/// <summary>How results are written.</summary>
public enum ReportFormat
{
    /// <summary>A table for people (colours only on a terminal, never with NO_COLOR).</summary>
    Table,

    /// <summary>One JSON object for machines.</summary>
    Json,

    /// <summary>The Nagios/Icinga plugin output line.</summary>
    Nagios,
}
