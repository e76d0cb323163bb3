using System.Globalization;
using System.Text;

namespace Opskit.VarnishLog.Tests.Support;

/// <summary>Writes varnishlog lines in each generation's exact layout, for readable test inputs.</summary>
internal static class VslText
{
    /// <summary>Legacy 2.1/3.0: <c>%5u %-12s %c %s</c>.</summary>
    public static string Legacy(int fd, string tag, string data, char type = 'c') =>
        string.Format(CultureInfo.InvariantCulture, "{0,5} {1,-12} {2} {3}\n", fd, tag, type, data);

    /// <summary>4.x-7.x raw: <c>%10u %-14s %c %s</c>.</summary>
    public static string Raw(long vxid, string tag, string data, char type = 'c') =>
        string.Format(CultureInfo.InvariantCulture, "{0,10} {1,-14} {2} {3}\n", vxid, tag, type, data);

    /// <summary>A grouped block: header and records at <paramref name="level"/>.</summary>
    public static string Group(int level, string kind, long vxid, params (string Tag, string Data)[] records)
    {
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"{new string('*', level),-3} << {kind,-8} >> {vxid,-10}\n");
        foreach (var (tag, data) in records)
        {
            s.Append(CultureInfo.InvariantCulture, $"{new string('-', level),-3} {tag,-14} {data}\n");
        }

        return s.ToString();
    }

    /// <summary>A 4.x-7.x client request's records, with VCL calls chosen by <paramref name="handling"/>.</summary>
    public static (string Tag, string Data)[] ModernRequest(long vxid, string url, string handling, int status = 200, double seconds = 0.0015)
    {
        var records = new List<(string, string)>
        {
            ("Begin", "req 1 rxreq"),
            ("Timestamp", "Start: 1700000000.000000 0.000000 0.000000"),
            ("ReqStart", "192.0.2.10 40000 a0"),
            ("ReqMethod", "GET"),
            ("ReqURL", url),
            ("ReqProtocol", "HTTP/1.1"),
            ("ReqHeader", "Host: example.com"),
            ("VCL_call", "RECV"),
        };
        switch (handling)
        {
            case "hit":
                records.AddRange([("VCL_return", "hash"), ("VCL_call", "HASH"), ("VCL_return", "lookup"), ("Hit", "3 119.9 10 0"), ("VCL_call", "HIT"), ("VCL_return", "deliver")]);
                break;
            case "miss":
                records.AddRange([("VCL_return", "hash"), ("VCL_call", "HASH"), ("VCL_return", "lookup"), ("VCL_call", "MISS"), ("VCL_return", "fetch")]);
                break;
            case "hitmiss":
                records.AddRange([("VCL_return", "hash"), ("VCL_call", "HASH"), ("VCL_return", "lookup"), ("HitMiss", "3 119.9"), ("VCL_call", "MISS"), ("VCL_return", "fetch")]);
                break;
            case "pass":
                records.AddRange([("VCL_return", "pass"), ("VCL_call", "HASH"), ("VCL_return", "lookup"), ("VCL_call", "PASS"), ("VCL_return", "fetch")]);
                break;
            case "hitpass":
                records.AddRange([("VCL_return", "hash"), ("VCL_call", "HASH"), ("VCL_return", "lookup"), ("HitPass", "3 119.9"), ("VCL_call", "PASS"), ("VCL_return", "fetch")]);
                break;
            case "pipe":
                records.AddRange([("VCL_return", "pipe"), ("VCL_call", "HASH"), ("VCL_return", "lookup"), ("VCL_call", "PIPE"), ("VCL_return", "pipe")]);
                break;
            case "synth":
                records.AddRange([("VCL_return", "synth"), ("VCL_call", "HASH"), ("VCL_return", "lookup"), ("VCL_call", "SYNTH"), ("VCL_return", "deliver")]);
                break;
        }

        if (handling != "pipe")
        {
            records.AddRange([("RespProtocol", "HTTP/1.1"), ("RespStatus", status.ToString(CultureInfo.InvariantCulture)), ("RespReason", "OK"), ("RespHeader", "X-Varnish: " + vxid)]);
            records.Add(("Timestamp", string.Create(CultureInfo.InvariantCulture, $"Resp: 1700000000.001500 {seconds:F6} 0.000100")));
            records.Add(("ReqAcct", "80 0 80 200 1234 1434"));
        }
        else
        {
            records.Add(("Timestamp", string.Create(CultureInfo.InvariantCulture, $"PipeSess: 1700000000.001500 {seconds:F6} 0.000100")));
        }

        records.Add(("End", string.Empty));
        return [.. records];
    }
}
