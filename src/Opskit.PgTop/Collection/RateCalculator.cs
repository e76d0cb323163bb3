using Opskit.PgTop.Model;

namespace Opskit.PgTop.Collection;

/// <summary>Per-second rates from two readings of <c>pg_stat_database</c>.</summary>
internal static class RateCalculator
{
    /// <summary>
    /// Rates over <paramref name="seconds"/>. A counter that went backwards, or a changed reset time, means the
    /// statistics were reset in between: every rate is then null and <see cref="Rates.Reset"/> is set, never a
    /// negative rate. <paramref name="ownTransactions"/> (the monitor's own statements) are not counted.
    /// </summary>
    public static Rates Compute(DatabaseCounters previous, DatabaseCounters current, double seconds, long ownTransactions)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        var xacts = current.Transactions - previous.Transactions;
        var inserted = current.Inserted - previous.Inserted;
        var updated = current.Updated - previous.Updated;
        var deleted = current.Deleted - previous.Deleted;
        var reset = current.LastReset != previous.LastReset
            || xacts < 0 || inserted < 0 || updated < 0 || deleted < 0
            || current.BlocksHit < previous.BlocksHit || current.BlocksRead < previous.BlocksRead;
        if (reset || seconds <= 0)
        {
            return new Rates(seconds, null, null, null, null, reset);
        }

        return new Rates(
            seconds,
            Math.Max(0, xacts - ownTransactions) / seconds,
            inserted / seconds,
            updated / seconds,
            deleted / seconds,
            false);
    }
}
