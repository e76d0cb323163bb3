namespace Opskit.ReplCheck.Rules;

/// <summary>One check. Rules are pure functions of a <see cref="RuleContext"/>: no I/O, so recorded servers test them.</summary>
public interface IRule
{
    /// <summary>Stable id, used in JSON and the docs.</summary>
    string Id { get; }

    /// <summary>The servers this rule applies to.</summary>
    VersionRange Range { get; }

    /// <summary>The results; none when the rule does not apply to this server's configuration.</summary>
    IEnumerable<CheckResult> Evaluate(RuleContext context);

    /// <summary>The <c>[mysqld]</c> lines this rule recommends for the server's flavour and version, whatever its state (for <c>--print-config</c>).</summary>
    IReadOnlyList<string> ConfigLines(Server.ServerSnapshot server) => [];
}
