using System.Buffers;
using System.Text;
using System.Text.Json;
using Opskit.VarnishLog.Parsing;
using System.Runtime.CompilerServices;

namespace Opskit.VarnishLog.Output;

/// <summary>
/// Totals of the reported requests in fixed memory: counts per handling and status, a latency histogram, and the
/// most requested URLs (exact up to <see cref="MaxUrls"/> distinct URLs, approximate after, when rare ones are pruned).
/// </summary>
internal sealed class RequestSummary
{
    /// <summary>Distinct URLs counted before the rarest are pruned.</summary>
    public const int MaxUrls = 10_000;

    private readonly long[] _handling = new long[8];
    private readonly long[] _status = new long[1000];
    private readonly Dictionary<string, long> _urls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _urlLookup;
    private char[] _chars = new char[1024];

    public RequestSummary() => _urlLookup = _urls.GetAlternateLookup<ReadOnlySpan<char>>();

    public long Requests { get; private set; }

    public long NoStatus { get; private set; }

    /// <summary>True once rare URLs were pruned: the top-10 counts are then lower bounds.</summary>
    public bool UrlsApproximate { get; private set; }

    public LatencyHistogram Latency { get; } = new();

    public long Count(Handling handling) => _handling[(int)handling];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(RequestRecord record)
    {
        Requests++;
        _handling[(int)record.Handling]++;
        if (record.Status is >= 0 and < 1000)
        {
            _status[record.Status]++;
        }
        else
        {
            NoStatus++;
        }

        Latency.Add(record.TotalMs);
        CountUrl(record[record.Url]);
    }

    /// <summary>The hit ratio over all reported requests.</summary>
    public double HitRatio => Requests == 0 ? 0 : (double)Count(Handling.Hit) / Requests;

    public IEnumerable<(int Status, long Count)> Statuses()
    {
        for (var i = 0; i < _status.Length; i++)
        {
            if (_status[i] > 0)
            {
                yield return (i, _status[i]);
            }
        }
    }

    public IReadOnlyList<KeyValuePair<string, long>> TopUrls(int count) =>
        _urls.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(count).ToList();

    /// <summary>The summary for people: a few lines, on standard error by default.</summary>
    public string ToText(ReaderCounters counters, LogFormat format)
    {
        ArgumentNullException.ThrowIfNull(counters);
        var s = new StringBuilder();
        s.Append("vlogdump: ").Append(Requests).Append(" requests shown, ").Append(counters.Requests).Append(" read from ")
            .Append(counters.Lines).Append(format == LogFormat.Binary ? " records (" : " lines (").Append(FormatName(format)).Append("), ")
            .Append(counters.MalformedLines).Append(" malformed lines skipped\n");
        s.Append("hit ratio: ").Append((HitRatio * 100).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)).Append('%');
        s.Append(" (");
        var first = true;
        foreach (Handling h in Enum.GetValues<Handling>())
        {
            if (Count(h) == 0)
            {
                continue;
            }

            s.Append(first ? string.Empty : ", ").Append(HandlingNames.Name(h)).Append(' ').Append(Count(h));
            first = false;
        }

        s.Append(")\nstatus:");
        foreach (var (status, count) in Statuses())
        {
            s.Append(' ').Append(status).Append(' ').Append(count).Append(',');
        }

        if (NoStatus > 0)
        {
            s.Append(" none ").Append(NoStatus).Append(',');
        }

        if (s[^1] == ',')
        {
            s.Length--;
        }

        s.Append('\n');
        s.Append("time ms: p50 ").Append(Ms(Latency.Percentile(0.50))).Append(", p95 ").Append(Ms(Latency.Percentile(0.95)))
            .Append(", p99 ").Append(Ms(Latency.Percentile(0.99))).Append('\n');
        s.Append("incomplete: ").Append(counters.Incomplete).Append(" (").Append(counters.EvictedByCount).Append(" over the pending limit, ")
            .Append(counters.EvictedByAge).Append(" over the pending timeout, ").Append(counters.Truncated).Append(" cut off), ")
            .Append(counters.Skipped).Append(" restarted or ESI not shown\n");
        s.Append(UrlsApproximate ? "top URLs (approximate):\n" : "top URLs:\n");
        foreach (var (url, count) in TopUrls(10))
        {
            s.Append(count.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(10)).Append("  ").Append(url).Append('\n');
        }

        return s.ToString();
    }

    /// <summary>The summary for machines: one JSON object.</summary>
    public string ToJson(ReaderCounters counters, LogFormat format)
    {
        ArgumentNullException.ThrowIfNull(counters);
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("requests", Requests);
            w.WriteNumber("requests_read", counters.Requests);
            w.WriteNumber("lines", counters.Lines);
            w.WriteString("format", FormatName(format));
            w.WriteNumber("malformed_lines", counters.MalformedLines);
            w.WriteNumber("hit_ratio", Math.Round(HitRatio, 4));
            w.WriteStartObject("handling");
            foreach (Handling h in Enum.GetValues<Handling>())
            {
                w.WriteNumber(HandlingNames.Name(h), Count(h));
            }

            w.WriteEndObject();
            w.WriteStartObject("status");
            foreach (var (status, count) in Statuses())
            {
                w.WriteNumber(status.ToString(System.Globalization.CultureInfo.InvariantCulture), count);
            }

            w.WriteEndObject();
            w.WriteNumber("no_status", NoStatus);
            WriteMs(w, "p50_ms", Latency.Percentile(0.50));
            WriteMs(w, "p95_ms", Latency.Percentile(0.95));
            WriteMs(w, "p99_ms", Latency.Percentile(0.99));
            w.WriteNumber("incomplete", counters.Incomplete);
            w.WriteNumber("evicted_by_count", counters.EvictedByCount);
            w.WriteNumber("evicted_by_age", counters.EvictedByAge);
            w.WriteNumber("truncated", counters.Truncated);
            w.WriteNumber("skipped", counters.Skipped);
            w.WriteBoolean("top_urls_approximate", UrlsApproximate);
            w.WriteStartArray("top_urls");
            foreach (var (url, count) in TopUrls(10))
            {
                w.WriteStartObject();
                w.WriteString("url", url);
                w.WriteNumber("count", count);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string FormatName(LogFormat format) => format switch
    {
        LogFormat.Legacy => "legacy 2.1/3.0",
        LogFormat.Raw => "4.x-7.x raw",
        LogFormat.Grouped => "4.x-7.x grouped",
        LogFormat.Binary => "4.x-7.x binary",
        _ => "no varnishlog records",
    };

    private static void WriteMs(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, Math.Round(value, 3));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string Ms(double value) =>
        double.IsFinite(value) ? value.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "-";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CountUrl(ReadOnlySpan<byte> url)
    {
        if (url.Length > _chars.Length)
        {
            _chars = new char[Math.Max(url.Length, _chars.Length * 2)];
        }

        var length = Encoding.UTF8.GetChars(url, _chars);
        var key = _chars.AsSpan(0, length);
        if (_urlLookup.TryGetValue(key, out var count))
        {
            _urlLookup[key] = count + 1;
            return;
        }

        if (_urls.Count >= MaxUrls)
        {
            PruneRareUrls();
        }

        _urlLookup[key] = 1;
    }

    private void PruneRareUrls()
    {
        // Keep the busier half; what is dropped counted little, so the top 10 stay right unless traffic is flat.
        UrlsApproximate = true;
        var counts = _urls.Values.ToArray();
        Array.Sort(counts);
        var threshold = counts[counts.Length / 2];
        foreach (var (url, count) in _urls.ToList())
        {
            if (count <= threshold)
            {
                _urls.Remove(url);
            }
        }
    }
}
