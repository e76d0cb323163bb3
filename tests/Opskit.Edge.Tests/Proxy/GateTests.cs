using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Opskit.Edge.Tests.Support;
using Opskit.Testing;

namespace Opskit.Edge.Tests.Proxy;

/// <summary>The personalization gate end to end: real proxy, real origin, real SQLite files.</summary>
public sealed class GateTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("opskit-edge-gate");
    private UpstreamServer _upstream = null!;

    private string Db => _dir.File("profiles.db");

    public async ValueTask InitializeAsync() => _upstream = await UpstreamServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    private Task<EdgeServer> StartEdgeAsync(decimal percentage, string? extraKey = null, string? extraValue = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Edge:Policies:r:Gate:Database"] = Db,
            ["Edge:Policies:r:Gate:RolloutPercentage"] = percentage.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (extraKey is not null)
        {
            settings[extraKey] = extraValue;
        }

        return EdgeServer.StartAsync(_upstream, settings);
    }

    [Fact]
    public async Task Decision_table_in_order()
    {
        ProfileFiles.Create(Db, ["alice", "x' OR '1'='1-not-this"]);
        await using var edge = await StartEdgeAsync(100);

        var anonymous1 = await edge.GetAsync("/page");
        var anonymous2 = await edge.GetAsync("/page", "other=1");
        var noProfile = await edge.GetAsync("/page", "userId=bob");
        var injection = await edge.GetAsync("/page", "userId=x' OR '1'='1");
        var personalized1 = await edge.GetAsync("/page", "theme=dark; userId=alice");
        var personalized2 = await edge.GetAsync("/page", "userId=alice");

        Assert.Equal(("MISS", "anonymous"), (anonymous1.XCache(), anonymous1.Decision()));
        Assert.Equal(("HIT", "anonymous"), (anonymous2.XCache(), anonymous2.Decision()));
        Assert.Equal(("HIT", "no-profile"), (noProfile.XCache(), noProfile.Decision()));
        Assert.Equal(("HIT", "no-profile"), (injection.XCache(), injection.Decision()));
        Assert.Equal(("PASS", "personalized"), (personalized1.XCache(), personalized1.Decision()));
        Assert.Equal(("PASS", "personalized"), (personalized2.XCache(), personalized2.Decision()));
        Assert.Equal(3, _upstream.Count("/page"));

        var seen = JsonDocument.Parse(personalized1.Body()).RootElement;
        Assert.Equal("id=alice; decision=personalized", seen.GetProperty("user").GetString());
        Assert.Contains("userId=alice", seen.GetProperty("cookie").GetString(), StringComparison.Ordinal);
        var generic = JsonDocument.Parse(anonymous1.Body()).RootElement;
        Assert.Equal(string.Empty, generic.GetProperty("cookie").GetString());
    }

    [Fact]
    public async Task Profile_outside_the_rollout_gets_the_cached_generic_answer()
    {
        ProfileFiles.Create(Db, ["alice"]);
        await using var edge = await StartEdgeAsync(0);

        await edge.GetAsync("/g");
        var holdout = await edge.GetAsync("/g", "userId=alice");

        Assert.Equal(("HIT", "holdout"), (holdout.XCache(), holdout.Decision()));
        Assert.Equal(1, _upstream.Count("/g"));
    }

    [Fact]
    public async Task Client_cannot_spoof_the_upstream_user_header()
    {
        ProfileFiles.Create(Db, ["alice"]);
        await using var edge = await StartEdgeAsync(100);

        var generic = await edge.GetAsync("/spoof", null, ("X-Edge-User", "id=mallory; decision=personalized"));
        var pass = await edge.GetAsync("/spoof2", "userId=alice", ("X-Edge-User", "id=mallory; decision=personalized"));

        Assert.Equal(string.Empty, JsonDocument.Parse(generic.Body()).RootElement.GetProperty("user").GetString());
        Assert.Equal("id=alice; decision=personalized", JsonDocument.Parse(pass.Body()).RootElement.GetProperty("user").GetString());
    }

    [Fact]
    public async Task Custom_cookie_name_and_flag_column_are_honoured()
    {
        ProfileFiles.Create(Db, ["on", "off"], flagColumn: "has_profile", flag: id => id == "on");
        await using var edge = await StartEdgeAsync(100, "Edge:Policies:r:Gate:Cookie", "uid");

        Assert.Equal("personalized", (await edge.GetAsync("/f", "uid=on")).Decision());
        Assert.Equal("no-profile", (await edge.GetAsync("/f", "uid=off")).Decision());
        Assert.Equal("anonymous", (await edge.GetAsync("/f", "userId=on")).Decision());
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("zero-bytes")]
    [InlineData("random-bytes")]
    [InlineData("no-table")]
    [InlineData("truncated")]
    public async Task Broken_profiles_file_serves_generic_answers_without_errors(string kind)
    {
        ProfileFiles.MakeBroken(Db, kind);
        await using var edge = await StartEdgeAsync(100);

        for (var i = 0; i < 20; i++)
        {
            var response = await edge.GetAsync("/b", "userId=user-1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("no-profile", response.Decision());
        }

        Assert.Equal(1, _upstream.Count("/b"));
        Assert.True(edge.Metrics.ProfileUnavailableLookups >= 20);
    }

    [Fact]
    public async Task Swapping_the_database_under_load_fails_no_request_and_switches_within_seconds_without_a_restart()
    {
        ProfileFiles.Create(Db, ["old-user"]);
        await using var edge = await StartEdgeAsync(100);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var failures = 0;
        var requests = 0;
        long switchedAt = 0;
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var response = await edge.GetAsync("/load", "userId=new-user");
                    Interlocked.Increment(ref requests);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref failures);
                    }
                    else if (response.Decision() == "personalized")
                    {
                        Interlocked.CompareExchange(ref switchedAt, Stopwatch.GetTimestamp(), 0);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();

        await Eventually.AssertAsync(() => Volatile.Read(ref requests) > 200, TimeSpan.FromSeconds(60), "load running");
        Assert.Equal(0, Interlocked.Read(ref switchedAt));
        ProfileFiles.Create(Db, ["new-user"]); // written elsewhere, renamed over
        var renamedAt = Stopwatch.GetTimestamp();
        await Eventually.AssertAsync(() => Interlocked.Read(ref switchedAt) != 0, TimeSpan.FromSeconds(5), "decision switch");
        var afterSwitch = Volatile.Read(ref requests);
        await Eventually.AssertAsync(() => Volatile.Read(ref requests) > afterSwitch + 200, TimeSpan.FromSeconds(60), "load after the swap");
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Equal(0, failures);
        var switchTime = Stopwatch.GetElapsedTime(renamedAt, Interlocked.Read(ref switchedAt));
        // The watcher normally makes the switch immediate and the store checks the file every second anyway; the
        // 5 s bound leaves room for a loaded machine while still catching a swap that waits for a restart. (How fast
        // the switch is on a quiet machine is a benchmark's business, not a test's.)
        Assert.True(switchTime < TimeSpan.FromSeconds(5), $"switched after {switchTime}");
        Assert.Equal("personalized", (await edge.GetAsync("/load", "userId=new-user")).Decision());
        Assert.Equal("no-profile", (await edge.GetAsync("/load", "userId=old-user")).Decision());
    }

    [Fact]
    public async Task Configuration_file_change_reloads_the_rollout_without_dropping_connections()
    {
        ProfileFiles.Create(Db, ["alice"]);
        var config = _dir.File("edge.json");
        await File.WriteAllTextAsync(config, Config(0), TestContext.Current.CancellationToken);
        await using var edge = await EdgeServer.StartAsync(c => c.Add(new Opskit.Edge.Configuration.ValidatedJsonFile(config, Opskit.Edge.Configuration.EdgeOptionsValidation.Errors)));

        Assert.Equal("holdout", (await edge.GetAsync("/cfg", "userId=alice")).Decision());
        await File.WriteAllTextAsync(config, Config(100), TestContext.Current.CancellationToken);

        await Eventually.AssertAsync(async () => (await edge.GetAsync("/cfg", "userId=alice")).Decision() == "personalized", TimeSpan.FromSeconds(60), "reload");

        // Invalid changes (a half-written file, then a bad value) are rejected and the previous settings stay in force.
        foreach (var invalid in new[] { Config(50)[..40], Config(150) })
        {
            await File.WriteAllTextAsync(config, invalid, TestContext.Current.CancellationToken);

            // The reload is debounced by 250 ms; keep asking for 1.5 s (bounded) so the rejected reload has happened.
            var until = DateTime.UtcNow.AddSeconds(1.5);
            while (DateTime.UtcNow < until)
            {
                var response = await edge.GetAsync("/cfg", "userId=alice");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("personalized", response.Decision());
            }
        }

        await File.WriteAllTextAsync(config, Config(0), TestContext.Current.CancellationToken);
        await Eventually.AssertAsync(async () => (await edge.GetAsync("/cfg", "userId=alice")).Decision() == "holdout", TimeSpan.FromSeconds(60), "valid change after rejected ones");

        string Config(int percentage) => $$"""
            {
              "Edge": { "Policies": { "r": { "Gate": { "Database": {{JsonSerializer.Serialize(Db)}}, "RolloutPercentage": {{percentage}} } } } },
              "ReverseProxy": {
                "Routes": { "r": { "ClusterId": "c", "Match": { "Path": "/{**catch-all}" } } },
                "Clusters": { "c": { "Destinations": { "d1": { "Address": "{{_upstream.Address}}" } } } }
              }
            }
            """;
    }

    [Fact]
    public async Task Invalid_configuration_at_start_names_the_key()
    {
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => StartEdgeAsync(100.5m));

        Assert.Contains("Edge:Policies:r:Gate:RolloutPercentage", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Access_log_is_varnishncsa_format_plus_hit_miss_pass()
    {
        ProfileFiles.Create(Db, ["alice"]);
        var log = _dir.File("access.log");
        await using (var edge = await StartEdgeAsync(100, "Edge:AccessLog", log))
        {
            await edge.GetAsync("/logged?q=1", null, ("User-Agent", "test-agent"), ("Referer", "http://ref/"));
            await edge.GetAsync("/logged?q=1");
            await edge.GetAsync("/logged?q=1", "userId=alice");
        }

        var lines = await File.ReadAllLinesAsync(log, TestContext.Current.CancellationToken);
        Assert.Equal(3, lines.Length);
        Assert.Matches("""^127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET http://127\.0\.0\.1:\d+/logged\?q=1 HTTP/1\.1" 200 \d+ "http://ref/" "test-agent" miss$""", lines[0]);
        Assert.EndsWith("\"-\" \"-\" hit", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(" pass", lines[2], StringComparison.Ordinal);
    }
}
