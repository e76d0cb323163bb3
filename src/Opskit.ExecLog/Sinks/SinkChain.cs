namespace Opskit.ExecLog.Sinks;

/// <summary>
/// The configured destinations in order. A record goes to the first that takes it (or, with
/// <see cref="Every"/>, to all of them); when none does, it is counted as dropped and the count travels
/// in the next record that gets through.
/// </summary>
/// <param name="Sinks">Destinations in order of preference.</param>
/// <param name="Every">True to write to every destination instead of the first that works.</param>
/// <param name="Dropped">The persistent drop counter.</param>
internal sealed record SinkChain(IReadOnlyList<IRecordSink> Sinks, bool Every, DropCounter Dropped)
{
    /// <summary>Writes the record built by <paramref name="build"/> (given the earlier drop count); returns the failures, for --verbose.</summary>
    public IReadOnlyList<string> Deliver(Func<long, Records.ExecRecord> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var droppedBefore = Dropped.Read();
        var record = build(droppedBefore);
        var failures = new List<string>();
        var delivered = false;
        foreach (var sink in Sinks)
        {
            var failure = sink.TryWrite(record);
            if (failure is null)
            {
                delivered = true;
                if (!Every)
                {
                    break;
                }
            }
            else
            {
                failures.Add($"{sink.Name}: {failure}");
            }
        }

        if (!delivered)
        {
            Dropped.Add(1);
        }
        else if (droppedBefore > 0)
        {
            Dropped.Add(-droppedBefore);
        }

        return failures;
    }
}
