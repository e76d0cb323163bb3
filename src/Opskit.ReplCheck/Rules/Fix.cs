namespace Opskit.ReplCheck.Rules;

/// <summary>How to make a check pass: the <c>my.cnf</c> lines, the statements for a running server, manual steps.</summary>
/// <param name="ConfigLines">Lines for the <c>[mysqld]</c> group of <c>my.cnf</c>.</param>
/// <param name="Statements">SQL to apply it now (<c>SET PERSIST</c> on MySQL 8+, <c>SET GLOBAL</c> elsewhere).</param>
/// <param name="Steps">Manual steps in order, when it is more than a setting (a restart, a table repair).</param>
public sealed record Fix(IReadOnlyList<string> ConfigLines, IReadOnlyList<string> Statements, IReadOnlyList<string> Steps)
{
    /// <summary>No fix: the check is informational.</summary>
    public static Fix None { get; } = new([], [], []);

    /// <summary>This fix followed by <paramref name="other"/>.</summary>
    public Fix Then(Fix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new([.. ConfigLines, .. other.ConfigLines], [.. Statements, .. other.Statements], [.. Steps, .. other.Steps]);
    }

    /// <summary>One line for a table: the statements, else the config lines, else the first step.</summary>
    public string Summary =>
        Statements.Count > 0 ? string.Join(" ", Statements)
        : ConfigLines.Count > 0 ? string.Join("; ", ConfigLines) + " (my.cnf)"
        : Steps.Count > 0 ? Steps[0]
        : string.Empty;
}
