using Opskit.PgTop.Model;

namespace Opskit.PgTop.Collection;

/// <summary>
/// Builds the lock tree from the sessions' <c>blocked_by</c> (pg_blocking_pids of Lock waiters): each root is a
/// blocker that waits for nobody, with the sessions waiting for it below it, recursively.
/// </summary>
internal static class LockTreeBuilder
{
    public static IReadOnlyList<LockNode> Build(IReadOnlyList<Session> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        Dictionary<int, List<Session>>? waitersOf = null;
        foreach (var session in sessions)
        {
            foreach (var blocker in session.BlockedBy)
            {
                waitersOf ??= [];
                if (!waitersOf.TryGetValue(blocker, out var list))
                {
                    waitersOf[blocker] = list = [];
                }

                list.Add(session);
            }
        }

        if (waitersOf is null)
        {
            return [];
        }

        var byPid = new Dictionary<int, Session>(sessions.Count);
        foreach (var session in sessions)
        {
            byPid[session.Pid] = session;
        }

        var roots = new List<LockNode>();
        foreach (var blockerPid in waitersOf.Keys)
        {
            var blocker = byPid.GetValueOrDefault(blockerPid) ?? Unknown(blockerPid);
            if (blocker.IsLockWaiter)
            {
                continue; // Not a root: it appears below the session it waits for.
            }

            roots.Add(Node(blocker, waitersOf, [blocker.Pid]));
        }

        roots.Sort(static (a, b) => b.BlockedCount != a.BlockedCount ? b.BlockedCount.CompareTo(a.BlockedCount) : a.Pid.CompareTo(b.Pid));
        return roots;
    }

    private static LockNode Node(Session session, Dictionary<int, List<Session>> waitersOf, HashSet<int> path)
    {
        var children = new List<LockNode>();
        var maxWait = 0.0;
        if (waitersOf.TryGetValue(session.Pid, out var waiters))
        {
            waiters.Sort(static (a, b) => a.Pid.CompareTo(b.Pid));
            foreach (var waiter in waiters)
            {
                if (!path.Add(waiter.Pid))
                {
                    continue; // A cycle (a deadlock about to be broken by the server).
                }

                var child = Node(waiter, waitersOf, path);
                path.Remove(waiter.Pid);
                children.Add(child);
                maxWait = Math.Max(maxWait, Math.Max(child.MaxWaitSeconds, waiter.LockWaitOrQueryAgeSeconds ?? 0));
            }
        }

        return new LockNode(session, children)
        {
            BlockedCount = CountBelow(children),
            MaxWaitSeconds = maxWait,
        };
    }

    private static int CountBelow(List<LockNode> children)
    {
        var seen = new HashSet<int>();
        var stack = new Stack<LockNode>(children);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (seen.Add(node.Pid))
            {
                foreach (var child in node.Blocked)
                {
                    stack.Push(child);
                }
            }
        }

        return seen.Count;
    }

    // pg_blocking_pids() reports 0 for a prepared transaction, and a blocker may have ended since.
    private static Session Unknown(int pid) => new()
    {
        Pid = pid,
        BackendType = pid == 0 ? "prepared transaction" : "unknown",
        State = null,
    };
}
