using System.Text;
using Microsoft.Extensions.Time.Testing;
using Opskit.VarnishLog.Filters;
using Opskit.VarnishLog.Output;

namespace Opskit.VarnishLog.Tests.Support;

/// <summary>Runs the whole pipeline (parse, filter, format) over a fixture and returns what it wrote.</summary>
internal static class OutputRun
{
    public static (string Output, VlogdumpRun Run) Of(string fixture, VlogdumpSettings settings)
    {
        using var output = new MemoryStream();
        var run = new VlogdumpRun(settings, output, new FakeTimeProvider(), TimeZoneInfo.Utc);
        run.Feed(LogRun.Fixture(fixture));
        run.Complete();
        return (Encoding.UTF8.GetString(output.ToArray()), run);
    }

    /// <summary>The vxids a filter lets through, in output order.</summary>
    public static long[] Vxids(string fixture, FilterSettings filters)
    {
        var (text, _) = Of(fixture, new VlogdumpSettings { Format = OutputFormat.Tsv, Filters = filters });
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => long.Parse(line.Split('\t')[0], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }
}
