using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck.Rules;

/// <summary>
/// MySQL 8.0.23+: <c>master_info_repository</c> and <c>relay_log_info_repository</c> are deprecated (TABLE is the only
/// supported choice) and were removed in 8.3, where a <c>my.cnf</c> still naming them stops the server from starting.
/// </summary>
internal sealed class DeprecatedRepositoryOptionsRule : IRule
{
    private static readonly string[] Names = ["master_info_repository", "relay_log_info_repository"];

    public string Id => "deprecated_repository_options";

    public VersionRange Range { get; } = new(ServerFlavor.MySql, From: (8, 0, 23));

    public IEnumerable<CheckResult> Evaluate(RuleContext context)
    {
        var server = context.Server;
        var present = Names.Where(n => server.Variables.ContainsKey(n)).ToList();
        var fix = new Fix([], present.Select(n => $"RESET PERSIST IF EXISTS {n};").ToList(),
            ["delete master_info_repository and relay_log_info_repository from my.cnf (removed in MySQL 8.3: the server refuses to start with them)"]);
        const string Why = "The options are deprecated since 8.0.23 (TABLE is the only crash-safe choice) and unknown from 8.3, where a leftover line keeps the server from starting.";
        if (present.Count == 0)
        {
            yield return new CheckResult(Id, CheckStatus.Ok, "removed in this version", Why, fix);
            yield break;
        }

        var values = string.Join(", ", present.Select(n => $"{n}={server.Variables[n]}"));
        if (present.Exists(n => !server.Variables[n].Equals("TABLE", StringComparison.OrdinalIgnoreCase)))
        {
            yield return new CheckResult(Id, CheckStatus.Crit, values, Why, fix);
            yield break;
        }

        var set = present.Where(n => server.VariableSources.TryGetValue(n, out var source) && !source.Equals("COMPILED", StringComparison.OrdinalIgnoreCase)).ToList();
        yield return set.Count > 0
            ? new CheckResult(Id, CheckStatus.Warn, $"{values} (set explicitly: {string.Join(", ", set.Select(n => $"{n} from {server.VariableSources[n]}"))})", Why, fix)
            : new CheckResult(Id, CheckStatus.Ok, $"{values} (default)", Why, fix);
    }
}
