using Microsoft.Extensions.Logging;
using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Protocol;

namespace Opskit.Statsd.Input;

/// <summary>Hands every received packet to the repeater (if any) before it is parsed, as Etsy's 'packet' event does.</summary>
internal interface IPacketObserver
{
    /// <summary>Called on the receive loop; must copy what it keeps and must not block.</summary>
    void OnPacket(ReadOnlySpan<byte> packet, bool tcp);
}

/// <summary>
/// One receive loop's pipeline: parse a packet into the loop's shard router and count it. Not thread-safe:
/// each UDP receive loop and each TCP connection owns one.
/// </summary>
internal sealed class PacketProcessor
{
    private readonly StatsdLineParser _parser = new();
    private readonly ShardRouter _router;
    private readonly IPacketObserver? _observer;
    private readonly Func<bool> _sanitize;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private static long _failures;

    public PacketProcessor(Aggregator aggregator, IPacketObserver? observer, Func<bool> sanitize, TimeProvider time, ILogger logger)
    {
        _logger = logger;
        _router = aggregator.CreateRouter();
        _observer = observer;
        _sanitize = sanitize;
        _time = time;
    }

    /// <summary>
    /// Parses one datagram (or one newline-terminated TCP chunk); with <paramref name="observe"/> false the caller
    /// hands the packet to the repeater itself, later, through <see cref="Observe"/>.
    /// </summary>
    public void Process(ReadOnlySpan<byte> packet, bool tcp, bool observe = true)
    {
        if (observe)
        {
            _observer?.OnPacket(packet, tcp);
        }

        var sink = _router.CreateSink();
        int lines;
        try
        {
            lines = _parser.ParsePacket(packet, ref sink);
        }
#pragma warning disable CA1031 // last line of defence: a parser bug must cost one packet, not the receive loop
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            _router.CountParserFailure();
            if (Interlocked.Increment(ref _failures) % 10_000 == 1)
            {
                Log.ParserFailed(_logger, ex);
            }

            lines = 1;
        }

        _router.CountPacket(tcp, lines);
    }

    /// <summary>Counts one bad line that never reached the parser (a TCP line over the length limit).</summary>
    public void CountBadLine() => _router.CountParserFailure();

    /// <summary>Hands a packet to the repeater (if any).</summary>
    public void Observe(ReadOnlySpan<byte> packet, bool tcp) => _observer?.OnPacket(packet, tcp);

    /// <summary>Stamps the coming receive batch now (in receive order), not at its first metric.</summary>
    public void BeginBatch() => _router.BeginBatch();

    /// <summary>Publishes what this loop parsed since the last commit; called after each receive batch.</summary>
    public void Commit()
    {
        _parser.SanitizeKeys = _sanitize();
        _router.Commit(_time.GetUtcNow().ToUnixTimeSeconds());
    }
}
