namespace Opskit.PgTop.Terminal;

/// <summary>What the main area shows.</summary>
internal enum Screen
{
    Activity,
    LockTree,
    Statements,
    Help,
    Text,
}
