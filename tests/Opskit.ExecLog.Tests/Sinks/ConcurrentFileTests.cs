using Opskit.Testing;

namespace Opskit.ExecLog.Tests.Sinks;

public sealed class ConcurrentFileTests
{
    [Fact]
    public async Task Hundred_parallel_runs_give_hundred_whole_records_in_one_file()
    {
        using var dir = new TempDirectory("execlog");
        var log = dir.File("runs.jsonl");
        // Each record carries a 20 KB argument, so an interleaved or torn write would break a line.
        var filler = new string('x', 20_000);
        var script = $$"""
            for i in $(seq 1 100); do
              {{Wrapper.Opskit}} execlog --to file --log {{Wrapper.Quote(log)}} --state-file {{Wrapper.Quote(dir.File("state"))}} --tag run=$i -- sh -c 'exit $(( $1 % 4 ))' sh $i {{filler}} > /dev/null &
            done
            wait
            """;

        var (exit, _, stderr) = await Wrapper.BashAsync(script, TimeSpan.FromSeconds(170));

        Assert.True(exit == 0, stderr);
        var records = Wrapper.Records(log);
        Assert.Equal(100, records.Count);
        var runs = records.Select(r => int.Parse(r.GetProperty("tags").GetProperty("run").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 100), runs);
        foreach (var record in records)
        {
            var run = int.Parse(record.GetProperty("tags").GetProperty("run").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(run % 4, record.GetProperty("exit").GetInt32());
            Assert.Equal(filler, record.GetProperty("argv")[5].GetString());
        }
    }
}
