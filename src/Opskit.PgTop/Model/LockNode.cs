namespace Opskit.PgTop.Model;

/// <summary>A session in the lock tree: a root blocker or a waiter below the session it waits for.</summary>
internal sealed class LockNode
{
    public LockNode(Session session, IReadOnlyList<LockNode> blocked)
    {
        Session = session;
        Blocked = blocked;
    }

    public Session Session { get; }

    public int Pid => Session.Pid;

    /// <summary>Sessions waiting directly for this one.</summary>
    public IReadOnlyList<LockNode> Blocked { get; }

    /// <summary>Distinct sessions anywhere below this one.</summary>
    public int BlockedCount { get; init; }

    /// <summary>Longest lock wait of a session below this one, in seconds (from pg_locks.waitstart; statement age before PostgreSQL 14).</summary>
    public double MaxWaitSeconds { get; init; }
}
