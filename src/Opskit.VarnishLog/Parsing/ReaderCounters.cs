namespace Opskit.VarnishLog.Parsing;

/// <summary>What the assembler saw: every line is counted, every request that was not reported says why.</summary>
internal sealed class ReaderCounters
{
    public long Lines { get; set; }

    /// <summary>Lines that are not varnishlog output (garbled, truncated, binary): skipped.</summary>
    public long MalformedLines { get; set; }

    /// <summary>Complete client requests handed to the sink.</summary>
    public long Requests { get; set; }

    /// <summary>Requests that ended in a restart (the restarted request is reported) or ESI subrequests.</summary>
    public long Skipped { get; set; }

    /// <summary>Incomplete requests dropped because more than the pending limit were open.</summary>
    public long EvictedByCount { get; set; }

    /// <summary>Incomplete requests dropped because they were open longer than the pending timeout.</summary>
    public long EvictedByAge { get; set; }

    /// <summary>Incomplete requests cut off: a new request on the same session, a new group, or the end of input.</summary>
    public long Truncated { get; set; }

    /// <summary>Requests open right now.</summary>
    public int Pending { get; set; }

    /// <summary>All incomplete requests that were dropped.</summary>
    public long Incomplete => EvictedByCount + EvictedByAge + Truncated;
}
