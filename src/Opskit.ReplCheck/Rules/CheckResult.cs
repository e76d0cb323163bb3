namespace Opskit.ReplCheck.Rules;

/// <summary>The outcome of one rule on one server (or one replication channel).</summary>
/// <param name="Id">The rule id, e.g. <c>relay_log_recovery</c>.</param>
/// <param name="Status">OK, WARN, CRIT or UNKNOWN.</param>
/// <param name="Value">What was found, e.g. <c>OFF</c>.</param>
/// <param name="Why">Why it matters, one sentence.</param>
/// <param name="Fix">The setting that makes (or keeps) it OK.</param>
/// <param name="Channel">The replication channel or connection name; null for server-wide checks.</param>
public sealed record CheckResult(string Id, CheckStatus Status, string Value, string Why, Fix Fix, string? Channel = null);
