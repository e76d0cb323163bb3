using Opskit.PgTop.Model;
using Opskit.PgTop.Settings;

namespace Opskit.PgTop.Output;

/// <summary>The <c>--fail-on</c> conditions counted over the shown sessions.</summary>
internal sealed record Checks(int Slow, int Blocked, int IdleInTransaction)
{
    public static Checks Count(IReadOnlyList<Session> sessions, double slowThreshold, double idleInTransactionThreshold)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        int slow = 0, blocked = 0, idle = 0;
        foreach (var s in sessions)
        {
            if (s.IsSlow(slowThreshold))
            {
                slow++;
            }

            if (s.IsLockWaiter)
            {
                blocked++;
            }

            if (s.IsIdleInTransaction && (s.StateAgeSeconds ?? 0) >= idleInTransactionThreshold)
            {
                idle++;
            }
        }

        return new Checks(slow, blocked, idle);
    }

    /// <summary>The conditions of <paramref name="failOn"/> that hold.</summary>
    public FailCondition Failing(FailCondition failOn) =>
        (failOn.HasFlag(FailCondition.Slow) && Slow > 0 ? FailCondition.Slow : FailCondition.None)
        | (failOn.HasFlag(FailCondition.Blocked) && Blocked > 0 ? FailCondition.Blocked : FailCondition.None)
        | (failOn.HasFlag(FailCondition.IdleInTransaction) && IdleInTransaction > 0 ? FailCondition.IdleInTransaction : FailCondition.None);
}
