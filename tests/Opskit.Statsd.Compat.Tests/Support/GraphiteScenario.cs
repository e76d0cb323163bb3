using Opskit.Testing.Graphite;
namespace Opskit.Statsd.Compat.Tests.Support;

/// <summary>
/// The setUp of Etsy's graphite tests: a fake Graphite, a daemon flushing to it with the test's
/// config, and the wait for the first flush (Etsy's tests send on <c>acceptor.once('connection')</c>).
/// </summary>
internal sealed class GraphiteScenario : IAsyncDisposable
{
    /// <summary>Bound for every wait; a 200 ms flush interval normally answers within a second.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private GraphiteScenario(FakeGraphite graphite, StatsdDaemon statsd, GraphiteFlush firstFlush)
    {
        Graphite = graphite;
        Statsd = statsd;
        FirstFlush = firstFlush;
    }

    public FakeGraphite Graphite { get; }

    public StatsdDaemon Statsd { get; }

    /// <summary>The first connection's flush, before the test sent anything.</summary>
    public GraphiteFlush FirstFlush { get; }

    /// <summary>Starts Graphite and <paramref name="daemon"/> with Etsy's graphite-test config plus <paramref name="configure"/>.</summary>
    public static async Task<GraphiteScenario> StartAsync(string daemon, Action<EtsyConfig> configure)
    {
        var graphite = FakeGraphite.Start();
        StatsdDaemon? statsd = null;
        try
        {
            var config = EtsyConfig.EtsyGraphiteTest(graphite.Port);
            configure(config);
            statsd = await StatsdDaemon.StartAsync(daemon, config);
            var first = await graphite.WaitForFirstFlushAsync(Timeout);
            return new GraphiteScenario(graphite, statsd, first);
        }
        catch
        {
            if (statsd is not null)
            {
                await statsd.DisposeAsync();
            }

            await graphite.DisposeAsync();
            throw;
        }
    }

    public Task SendAsync(string packet) => Statsd.SendAsync(packet);

    /// <summary>Waits until some flush carries <paramref name="name"/> = <paramref name="value"/> (Etsy: <c>_.any(hashes, test)</c>).</summary>
    public Task ExpectAsync(string name, double value) => Graphite.WaitForValueAsync(name, value, Timeout);

    /// <summary>Waits until some metric name contains <paramref name="text"/> (Etsy: <c>str.indexOf(text) !== -1</c>).</summary>
    public Task ExpectNameContainingAsync(string text) => Graphite.WaitForNameContainingAsync(text, Timeout);

    /// <summary>
    /// Asserts that the first flush (sent before the test sent anything) has <paramref name="name"/> =
    /// <paramref name="value"/>; the message carries every flush so far and the daemon's output.
    /// </summary>
    public void AssertFirstFlushHas(string name, double value)
    {
        var actual = FirstFlush.Value(name);
        Xunit.Assert.True(actual == value,
            $"{Statsd.Name}: the first flush should have {name} = {value} but has {actual?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no such line"}\n" +
            $"{FirstFlush}\n{Graphite.Describe()}\nDaemon output:\n{Statsd.Process.Output}");
    }

    public async ValueTask DisposeAsync()
    {
        await Statsd.DisposeAsync();
        await Graphite.DisposeAsync();
    }
}
