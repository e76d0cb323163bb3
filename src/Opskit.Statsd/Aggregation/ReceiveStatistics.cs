namespace Opskit.Statsd.Aggregation;

/// <summary>
/// Receive-side counters shared by every receive loop (added once per received batch, not per line).
/// The interval counters feed Etsy's <c>statsd.*</c> internal counters; the totals feed the management
/// <c>stats</c> command.
/// </summary>
internal sealed class ReceiveStatistics
{
    private long _intervalPackets;
    private long _intervalLines;
    private long _intervalBadLines;
    private long _datagrams;
    private long _tcpPackets;
    private long _lines;
    private long _badLines;
    private long _extensions;
    private long _lastMessageSeen;

    public ReceiveStatistics(long startupSeconds) => _lastMessageSeen = startupSeconds;

    public long Datagrams => Volatile.Read(ref _datagrams);

    public long TcpPackets => Volatile.Read(ref _tcpPackets);

    public long Lines => Volatile.Read(ref _lines);

    public long BadLines => Volatile.Read(ref _badLines);

    /// <summary>DogStatsD events and service checks (recognized, counted, not aggregated).</summary>
    public long Extensions => Volatile.Read(ref _extensions);

    /// <summary>Unix seconds of the last packet (Etsy <c>messages.last_msg_seen</c>).</summary>
    public long LastMessageSeen => Volatile.Read(ref _lastMessageSeen);

    /// <summary>Datagrams the kernel dropped on our sockets (read from /proc/net/udp by the UDP input).</summary>
    public Func<long>? KernelDrops { get; set; }

    public void Add(long datagrams, long tcpPackets, long lines, long badLines, long extensions, long nowSeconds)
    {
        var packets = datagrams + tcpPackets;
        if (packets != 0)
        {
            Interlocked.Add(ref _intervalPackets, packets);
            Interlocked.Add(ref _datagrams, datagrams);
            Interlocked.Add(ref _tcpPackets, tcpPackets);
            Volatile.Write(ref _lastMessageSeen, nowSeconds);
        }

        if (lines != 0)
        {
            Interlocked.Add(ref _intervalLines, lines);
            Interlocked.Add(ref _lines, lines);
        }

        if (badLines != 0)
        {
            Interlocked.Add(ref _intervalBadLines, badLines);
            Interlocked.Add(ref _badLines, badLines);
        }

        if (extensions != 0)
        {
            Interlocked.Add(ref _extensions, extensions);
        }
    }

    /// <summary>Reads and zeroes the interval counters (at a flush).</summary>
    public InternalCounts TakeInterval() => new(
        Interlocked.Exchange(ref _intervalPackets, 0),
        Interlocked.Exchange(ref _intervalLines, 0),
        Interlocked.Exchange(ref _intervalBadLines, 0));

    /// <summary>The interval counters without resetting them (management <c>counters</c>).</summary>
    public InternalCounts PeekInterval() => new(
        Volatile.Read(ref _intervalPackets),
        Volatile.Read(ref _intervalLines),
        Volatile.Read(ref _intervalBadLines));

    /// <summary>Zeroes the interval counters (Etsy resets them when the config is reloaded).</summary>
    public void ResetInterval() => TakeInterval();
}
