namespace Opskit.PgTop.Settings;

/// <summary>The format of <c>--once</c>.</summary>
internal enum OutputFormat
{
    Table,
    Json,
    Ndjson,
    Csv,
}

/// <summary>Conditions of <c>--fail-on</c> that make the exit code 2.</summary>
[Flags]
internal enum FailCondition
{
    None = 0,
    Slow = 1,
    Blocked = 2,
    IdleInTransaction = 4,
}

/// <summary>How the query column shows long texts.</summary>
internal enum QueryDisplay
{
    Truncated,
    Full,
    Indented,
}
