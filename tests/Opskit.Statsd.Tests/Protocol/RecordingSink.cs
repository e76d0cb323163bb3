using System.Text;
using Opskit.Statsd.Protocol;

namespace Opskit.Statsd.Tests.Protocol;

/// <summary>Writes every parser callback as a short text ("c:key=1", "ms:key=100/1", "g:key=5", "gd:key=-5", "s:key=m", "bad", "ev", "sc").</summary>
internal readonly struct RecordingSink(List<string> events) : IMetricSink
{
    public void Counter(ReadOnlySpan<byte> key, double increment) =>
        events.Add($"c:{Encoding.UTF8.GetString(key)}={JsNumber.ToJsString(increment)}");

    public void Timer(ReadOnlySpan<byte> key, double value, double countIncrement) =>
        events.Add($"ms:{Encoding.UTF8.GetString(key)}={JsNumber.ToJsString(value)}/{JsNumber.ToJsString(countIncrement)}");

    public void Gauge(ReadOnlySpan<byte> key, double value, bool signed) =>
        events.Add($"{(signed ? "gd" : "g")}:{Encoding.UTF8.GetString(key)}={JsNumber.ToJsString(value)}");

    public void SetMember(ReadOnlySpan<byte> key, ReadOnlySpan<byte> member) =>
        events.Add($"s:{Encoding.UTF8.GetString(key)}={Encoding.UTF8.GetString(member)}");

    public void BadLine() => events.Add("bad");

    public void Extension(bool serviceCheck) => events.Add(serviceCheck ? "sc" : "ev");

    public static string Parse(string packet, bool sanitize = true) => Parse(Encoding.UTF8.GetBytes(packet), sanitize);

    public static string Parse(byte[] packet, bool sanitize = true)
    {
        var events = new List<string>();
        var sink = new RecordingSink(events);
        var parser = new StatsdLineParser { SanitizeKeys = sanitize };
        parser.ParsePacket(packet, ref sink);
        return string.Join("; ", events);
    }
}
