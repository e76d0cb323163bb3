using System.Diagnostics.Metrics;

namespace Opskit.Core.Metrics;

/// <summary>
/// Renders the instruments of chosen <see cref="Meter"/> instances in the Prometheus text format: the one
/// metrics path of every Opskit tool. Tools record through <c>System.Diagnostics.Metrics</c> only; this
/// listener aggregates what they record (counters and up-down counters summed, gauges and observable
/// instruments read at scrape time, histograms bucketed) and <see cref="WriteTo"/> writes it for <c>/metrics</c>.
/// </summary>
/// <remarks>
/// Meters are chosen by instance, not by name: tests and <c>opskit up</c> run several copies of a tool in one
/// process, and each copy's <c>/metrics</c> must show its own counts. Recording allocates nothing once a
/// series exists (a linear match of the tags against the instrument's few series, then interlocked adds).
/// Names follow the OpenTelemetry-to-Prometheus rules: dots become underscores, the unit becomes a suffix
/// (<c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>) and counters end in <c>_total</c>.
/// </remarks>
public sealed class MeterExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly HashSet<Meter> _meters;
    private readonly Lock _gate = new();
    private readonly List<InstrumentSeries> _instruments = [];

    /// <summary>Starts listening to the instruments of <paramref name="meters"/>, present and future.</summary>
    public MeterExporter(params IEnumerable<Meter> meters)
    {
        _meters = new HashSet<Meter>(meters, ReferenceEqualityComparer.Instance);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!_meters.Contains(instrument.Meter))
            {
                return;
            }

            var series = new InstrumentSeries(instrument);
            lock (_gate)
            {
                _instruments.Add(series);
            }

            listener.EnableMeasurementEvents(instrument, series);
        };
        _listener.MeasurementsCompleted = (instrument, state) =>
        {
            lock (_gate)
            {
                _instruments.Remove((InstrumentSeries)state!);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((InstrumentSeries)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments, then writes every family to <paramref name="output"/>.</summary>
    public void WriteTo(PrometheusTextBuilder output)
    {
        ArgumentNullException.ThrowIfNull(output);
        InstrumentSeries[] instruments;
        lock (_gate)
        {
            instruments = [.. _instruments];
        }

        foreach (var instrument in instruments)
        {
            instrument.BeginCollection();
        }

        _listener.RecordObservableInstruments();

        foreach (var instrument in instruments)
        {
            instrument.WriteTo(output);
        }
    }

    /// <summary>The whole exposition as text.</summary>
    public string Render()
    {
        var output = new PrometheusTextBuilder();
        WriteTo(output);
        return output.ToString();
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();
}
