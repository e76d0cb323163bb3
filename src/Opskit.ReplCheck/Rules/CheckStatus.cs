namespace Opskit.ReplCheck.Rules;

/// <summary>Result of one check; the numbers are the Nagios plugin exit codes.</summary>
public enum CheckStatus
{
    /// <summary>Nothing to do.</summary>
    Ok = 0,

    /// <summary>Works, but a crash or an edge case can cost data or a manual repair.</summary>
    Warn = 1,

    /// <summary>The replica will not survive a crash by itself, or replication is broken now.</summary>
    Crit = 2,

    /// <summary>Could not be checked (server down, login refused, missing privileges, timeout).</summary>
    Unknown = 3,
}
