using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Npgsql;
using Opskit.PgTop.Actions;
using Opskit.PgTop.Collection;
using Opskit.PgTop.Model;
using Opskit.Testing;

namespace Opskit.PgTop.Tests.Actions;

public sealed class SlowQueryTests(PgFixture pg)
{
    [Fact(Timeout = 120_000)]
    public async Task Newly_slow_queries_are_logged_once_and_posted_to_the_webhook()
    {
        var tag = PgFixture.Unique("t_slow");
        await using var sleeper = await pg.OpenAsync(tag + "_sleep");
        var sleep = PgFixture.StartAsync(sleeper, "SELECT pg_sleep(60) /* slow one */");
        using var dir = new TempDirectory();
        var log = dir.File("slow/queries.jsonl");
        await using var hook = WebhookListener.Start(respond: true);
        using var tracker = new SlowQueryTracker(0.5, log, new WebhookSender(hook.Url, TimeSpan.FromMilliseconds(100)));
        await using var collector = new Collector(pg.Target());

        await Eventually.AssertAsync(
            async () => Observe(tracker, await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken), tag) > 0,
            TimeSpan.FromSeconds(30),
            "the pg_sleep becomes slow");
        // Later refreshes of the same running statement add nothing.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(0, Observe(tracker, await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken), tag));
        }

        var lines = File.ReadAllLines(log).Where(l => l.Contains(tag, StringComparison.Ordinal) || l.Contains("slow one", StringComparison.Ordinal)).ToList();
        var entry = JsonDocument.Parse(Assert.Single(lines)).RootElement;
        Assert.Equal(sleeper.ProcessID, entry.GetProperty("pid").GetInt32());
        Assert.Equal("test", entry.GetProperty("server").GetString());
        Assert.Equal("SELECT pg_sleep(60) /* slow one */", entry.GetProperty("query").GetString());
        Assert.True(entry.GetProperty("query_age_s").GetDouble() >= 0.5);
        Assert.Equal("postgres", entry.GetProperty("user").GetString());

        var body = await hook.NextBodyAsync(TimeSpan.FromSeconds(30));
        var text = JsonDocument.Parse(body).RootElement.GetProperty("text").GetString();
        Assert.Contains($"pid {sleeper.ProcessID}", text, StringComparison.Ordinal);
        Assert.Contains("pg_sleep(60)", text, StringComparison.Ordinal);

        await using var admin = await pg.OpenAsync();
        await PgFixture.ExecuteAsync(admin, $"SELECT pg_cancel_backend({sleeper.ProcessID})");
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => sleep);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_hanging_webhook_does_not_delay_refreshes()
    {
        var tag = PgFixture.Unique("t_hang");
        var sleepers = new List<NpgsqlConnection>();
        var sleeps = new List<Task>();
        for (var i = 0; i < 3; i++)
        {
            var c = await pg.OpenAsync(tag + "_sleep");
            sleepers.Add(c);
            sleeps.Add(PgFixture.StartAsync(c, $"SELECT pg_sleep(60) /* {i} */"));
        }

        await using var hook = WebhookListener.Start(respond: false);
        using var tracker = new SlowQueryTracker(0.2, null, new WebhookSender(hook.Url, TimeSpan.Zero, timeout: TimeSpan.FromSeconds(60)));
        await using var collector = new Collector(pg.Target());
        await Eventually.AssertAsync(
            async () => Observe(tracker, await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken), tag) > 0,
            TimeSpan.FromSeconds(30),
            "the sleeps become slow");
        await hook.NextBodyAsync(TimeSpan.FromSeconds(30)); // the post arrived and now hangs: the listener never answers

        // New slow queries while the post hangs: observing them returns at once.
        var more = await pg.OpenAsync(tag + "_sleep");
        sleepers.Add(more);
        sleeps.Add(PgFixture.StartAsync(more, "SELECT pg_sleep(60) /* late */"));
        var watch = Stopwatch.StartNew();
        var refreshes = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(3))
        {
            var snapshot = await collector.CollectAsync(new CollectOptions(), TestContext.Current.CancellationToken);
            var observe = Stopwatch.StartNew();
            Observe(tracker, snapshot, tag);
            Assert.True(observe.ElapsedMilliseconds < 200, $"Observe took {observe.ElapsedMilliseconds} ms while the webhook hangs");
            refreshes++;
        }

        Assert.True(refreshes >= 3, $"only {refreshes} refreshes in 3 s");

        await using var admin = await pg.OpenAsync();
        await using (var cancel = new NpgsqlCommand("SELECT pg_cancel_backend(pid) FROM unnest(@p) pid", admin))
        {
            cancel.Parameters.AddWithValue("p", sleepers.Select(c => c.ProcessID).ToArray());
            await cancel.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        foreach (var s in sleeps)
        {
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => s);
        }

        foreach (var c in sleepers)
        {
            await c.DisposeAsync();
        }
    }

    private static int Observe(SlowQueryTracker tracker, Snapshot snapshot, string tag)
    {
        var fresh = tracker.Observe(snapshot);
        return fresh.Count(s => s.Application?.StartsWith(tag, StringComparison.Ordinal) == true);
    }

    /// <summary>An HTTP listener on loopback that records request bodies and answers 200, or never answers.</summary>
    private sealed class WebhookListener : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly BlockingCollection<string> _bodies = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private readonly bool _respond;

        private WebhookListener(bool respond)
        {
            _respond = respond;
            var port = FreePort.Tcp();
            Url = new Uri($"http://127.0.0.1:{port}/hook/");
            _listener.Prefixes.Add(Url.ToString());
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public Uri Url { get; }

        public static WebhookListener Start(bool respond) => new(respond);

        public Task<string> NextBodyAsync(TimeSpan timeout) => Task.Run(() =>
        {
            Assert.True(_bodies.TryTake(out var body, timeout), "the webhook received nothing");
            return body!;
        });

        private async Task LoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream);
                _bodies.Add(await reader.ReadToEndAsync());
                if (_respond)
                {
                    context.Response.StatusCode = 200;
                    context.Response.Close();
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Close();
            await _loop.WaitAsync(TimeSpan.FromSeconds(10));
            _stop.Dispose();
            _bodies.Dispose();
        }
    }
}
