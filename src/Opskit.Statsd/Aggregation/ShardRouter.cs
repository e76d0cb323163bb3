using System.Runtime.CompilerServices;
using Opskit.Statsd.Protocol;

namespace Opskit.Statsd.Aggregation;

/// <summary>
/// One receive loop's side of the hand-off: an open block per shard, filled by <see cref="Sink"/> and
/// published by <see cref="Commit"/> at the end of each receive batch, together with the batch's counters.
/// </summary>
internal sealed class ShardRouter
{
    private readonly Aggregator _aggregator;
    private readonly MetricBatch?[] _open;
    private long _datagrams;
    private long _tcpPackets;
    private long _lines;
    private long _badLines;
    private long _extensions;
    private long _arrival;
    private long _arrivalEnd;

    public ShardRouter(Aggregator aggregator)
    {
        _aggregator = aggregator;
        _open = new MetricBatch?[aggregator.ShardCount];
    }

    /// <summary>Counts one received UDP datagram or TCP packet and its lines (Etsy packets/metrics_received).</summary>
    public void CountPacket(bool tcp, int lines)
    {
        if (tcp)
        {
            _tcpPackets++;
        }
        else
        {
            _datagrams++;
        }

        _lines += lines;
    }

    /// <summary>A packet the parser could not handle (never expected; counted as a bad line).</summary>
    public void CountParserFailure() => _badLines++;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Route(MetricType type, bool flag, ReadOnlySpan<byte> key, double a, double b, ReadOnlySpan<byte> member)
    {
        if (!MetricBatch.Fits(key.Length, member.Length))
        {
            _badLines++;
            return;
        }

        if (_arrival == _arrivalEnd)
        {
            _arrival = _aggregator.Sequence.NextEpoch();
            _arrivalEnd = _arrival + (1L << KeySequence.EpochShift) - 1;
        }

        var arrival = ++_arrival;
        // Hashed once here: the hash picks the shard and travels in the record to the shard's key map.
        var hash = KeyHash.Compute(key);
        var shard = Aggregator.ShardOfHash(hash, _open.Length);
        var batch = _open[shard] ??= _aggregator.RentBatch();
        if (!batch.TryAppend(type, flag, key, hash, a, b, member, arrival))
        {
            _aggregator.Publish(shard, batch);
            batch = _open[shard] = _aggregator.RentBatch();
            batch.TryAppend(type, flag, key, hash, a, b, member, arrival);
        }
    }

    /// <summary>Takes the arrival epoch of the coming receive batch now (else its first metric takes one).</summary>
    public void BeginBatch()
    {
        _arrival = _aggregator.Sequence.NextEpoch();
        _arrivalEnd = _arrival + (1L << KeySequence.EpochShift) - 1;
    }

    /// <summary>Publishes the open blocks and the counters of this receive batch.</summary>
    public void Commit(long nowSeconds)
    {
        for (var i = 0; i < _open.Length; i++)
        {
            if (_open[i] is { IsEmpty: false } batch)
            {
                _aggregator.Publish(i, batch);
                _open[i] = null;
            }
        }

        _aggregator.Statistics.Add(_datagrams, _tcpPackets, _lines, _badLines, _extensions, nowSeconds);
        _arrival = _arrivalEnd = 0; // the next batch takes a new epoch, after every other loop's earlier batches
        _datagrams = _tcpPackets = _lines = _badLines = _extensions = 0;
    }

    /// <summary>The parser's sink for this router.</summary>
    public Sink CreateSink() => new(this);

    /// <summary>Parser callbacks routed to shards.</summary>
    internal readonly struct Sink(ShardRouter router) : IMetricSink
    {
        public void Counter(ReadOnlySpan<byte> key, double increment) =>
            router.Route(MetricType.Counter, false, key, increment, 0, default);

        public void Timer(ReadOnlySpan<byte> key, double value, double countIncrement) =>
            router.Route(MetricType.Timer, false, key, value, countIncrement, default);

        public void Gauge(ReadOnlySpan<byte> key, double value, bool signed) =>
            router.Route(MetricType.Gauge, signed, key, value, 0, default);

        public void SetMember(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member) =>
            router.Route(MetricType.Set, false, key, 0, 0, member);

        public void BadLine() => router._badLines++;

        public void Extension(bool serviceCheck) => router._extensions++;
    }
}

/// <summary>Parser callbacks applied straight to one shard (single-threaded use: tests, benchmarks).</summary>
internal readonly struct DirectShardSink(MetricShard shard) : IMetricSink
{
    public void Counter(ReadOnlySpan<byte> key, double increment) => shard.AddCounter(key, increment);

    public void Timer(ReadOnlySpan<byte> key, double value, double countIncrement) => shard.AddTimer(key, value, countIncrement);

    public void Gauge(ReadOnlySpan<byte> key, double value, bool signed) => shard.SetGauge(key, value, signed);

    public void SetMember(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member) => shard.AddSetMember(key, member);

    public void BadLine()
    {
    }

    public void Extension(bool serviceCheck)
    {
    }
}
