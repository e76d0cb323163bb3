using Opskit.ReplCheck.Rules;
using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Output;

/// <summary>One run: the server checked, every result, and the overall status (the exit code).</summary>
/// <param name="Endpoint">Where the server was reached (host:port or socket), no credentials.</param>
/// <param name="Server">The snapshot; null when the server could not be read.</param>
/// <param name="Results">Every check, in rule order.</param>
/// <param name="Error">Why the server could not be checked (UNKNOWN), else null.</param>
public sealed record ReplCheckReport(string Endpoint, ServerSnapshot? Server, IReadOnlyList<CheckResult> Results, string? Error)
{
    /// <summary>CRIT over UNKNOWN over WARN over OK; UNKNOWN when the server could not be read.</summary>
    public CheckStatus Overall => Error is not null ? CheckStatus.Unknown : RuleSet.Overall(Results);

    /// <summary>Upper-case status word as Nagios plugins print it.</summary>
    public static string Word(CheckStatus status) => status switch
    {
        CheckStatus.Ok => "OK",
        CheckStatus.Warn => "WARNING",
        CheckStatus.Crit => "CRITICAL",
        _ => "UNKNOWN",
    };

    /// <summary>Short status word for tables and JSON: OK, WARN, CRIT, UNKNOWN.</summary>
    public static string Short(CheckStatus status) => status switch
    {
        CheckStatus.Ok => "OK",
        CheckStatus.Warn => "WARN",
        CheckStatus.Crit => "CRIT",
        _ => "UNKNOWN",
    };
}
