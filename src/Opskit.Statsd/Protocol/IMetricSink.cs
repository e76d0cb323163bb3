namespace Opskit.Statsd.Protocol;

/// <summary>
/// Receives what <see cref="StatsdLineParser"/> finds. Implemented by structs and passed by reference
/// through a generic constraint so the hot path has no virtual calls (as Kestrel's HttpParser does).
/// Every key span is only valid during the call.
/// </summary>
internal interface IMetricSink
{
    /// <summary>A counter increment, already scaled by the sample rate as Etsy does: <c>value * (1 / rate)</c>.</summary>
    void Counter(ReadOnlySpan<byte> key, double increment);

    /// <summary>A timer (also <c>h</c> and <c>d</c>) value and its count increment <c>1 / rate</c>.</summary>
    void Timer(ReadOnlySpan<byte> key, double value, double countIncrement);

    /// <summary>A gauge value; <paramref name="signed"/> when the text began with + or - (a delta if the gauge is non-zero).</summary>
    void Gauge(ReadOnlySpan<byte> key, double value, bool signed);

    /// <summary>A set member (raw bytes, "0" when empty as in Etsy).</summary>
    void SetMember(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member);

    /// <summary>A value that failed Etsy's validation (one per bad value, as Etsy counts).</summary>
    void BadLine();

    /// <summary>A DogStatsD event (<c>_e{...}</c>) or service check (<c>_sc|...</c>) line.</summary>
    void Extension(bool serviceCheck);
}
