namespace Opskit.PgTop.Actions;

/// <summary>What to do to a backend: cancel its statement or end its session.</summary>
internal enum SignalKind
{
    Cancel,
    Terminate,
}
