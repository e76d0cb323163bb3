using System.Text.Json.Nodes;
using Opskit.Statsd.Admin;
using Opskit.Statsd.Aggregation;
using Opskit.Statsd.Tests.Support;

namespace Opskit.Statsd.Tests.Admin;

public sealed class ManagementConsoleTests
{
    [Fact] // mgmt_console_tests.stat_matches, through the one-pass plan
    public void Stat_matches()
    {
        static int Match(string bucket, string name) => new DeletePlan([bucket]).Match(name);
        string[] stats = ["a.b", "a.c", "c"];
        foreach (var bucket in (string[])["d", "a", "c.a", "c.*", ""])
        {
            Assert.All(stats, name => Assert.Equal(-1, Match(bucket, name)));
        }

        Assert.Equal([0, -1, -1], stats.Select(n => Match("a.b", n)));
        Assert.Equal([-1, -1, 0], stats.Select(n => Match("c", n)));
        Assert.Equal([0, 0, -1], stats.Select(n => Match("a.*", n)));
    }

    [Fact]
    public void A_key_goes_to_the_first_name_of_the_command_that_matches_it_as_Etsy_deletes_in_order()
    {
        var plan = new DeletePlan(["x.y", "x.*", "x.y.*", "x.*", "nothing"]);
        List<DeletedKey> deleted = [];
        long order = 0;
        foreach (var name in (string[])["x.z", "x.y", "x.y.w", "q", "x.*"])
        {
            var bucket = plan.Match(name);
            if (bucket >= 0)
            {
                deleted.Add(new DeletedKey(bucket, order++, name));
            }
        }

        // x.y: exact, first name. x.*: every other x. key, the key named "x.*" twice (exact and under the folder,
        // as Etsy lists it). The later names find nothing left.
        Assert.Equal(
            "deleted: x.y\ndeleted: x.*\ndeleted: x.z\ndeleted: x.y.w\ndeleted: x.*\nmetric x.y.* not found\nmetric x.* not found\nmetric nothing not found\nEND\n\n",
            plan.Reply(deleted));
    }

    [Fact] // mgmt_console_tests.stat_deletes (over the real management port, against gauges)
    public async Task Stat_deletes()
    {
        await using var statsd = await RunningStatsd.StartAsync(new JsonObject { ["backends"] = new JsonArray() });
        await statsd.SendAsync("a.b:1|g\na.c:1|g\nd:1|g");
        Assert.Equal("metric e not found\nEND\n\n", await statsd.ManageAsync("delgauges e"));
        Assert.Equal("{ 'a.b': 1, 'a.c': 1, d: 1 }\nEND\n\n", await statsd.ManageAsync("gauges"));
        Assert.Equal("deleted: a.b\nEND\n\n", await statsd.ManageAsync("delgauges a.b"));
        Assert.Equal("{ 'a.c': 1, d: 1 }\nEND\n\n", await statsd.ManageAsync("gauges"));
        await statsd.SendAsync("a.b:1|g");
        Assert.Equal("deleted: a.c\ndeleted: a.b\nEND\n\n", await statsd.ManageAsync("delgauges a.*"));
        Assert.Equal("{ d: 1 }\nEND\n\n", await statsd.ManageAsync("gauges"));
    }

    [Fact]
    public async Task Commands_reply_as_Etsy_does()
    {
        await using var statsd = await RunningStatsd.StartAsync(new JsonObject { ["backends"] = new JsonArray() });
        await statsd.SendAsync("t:5|ms\nt:3|ms\nc:1|c\ns:u1|s");
        Assert.Equal("Commands: stats, counters, timers, gauges, sets, delcounters, deltimers, delgauges, health, config, quit\n\n", await statsd.ManageAsync("help"));
        Assert.Equal("health: up\n", await statsd.ManageAsync("health"));
        Assert.Equal("health: down\nhealth: down\nhealth: up\n", await statsd.ManageAsync("health DOWN", "health", "health up"));
        Assert.Equal("ERROR\n", await statsd.ManageAsync("nonsense"));
        Assert.Equal("{ t: [ 5, 3 ] }\nEND\n\n", await statsd.ManageAsync("timers"));
        Assert.Equal("{ s: [ 'u1' ] }\nEND\n\n", await statsd.ManageAsync("sets"));
        Assert.Equal(
            "{\n  'statsd.bad_lines_seen': 0,\n  'statsd.packets_received': 1,\n  'statsd.metrics_received': 4,\n  c: 1\n}\nEND\n\n",
            await statsd.ManageAsync("counters"));
        Assert.Equal("deleted: t\nEND\n\n", await statsd.ManageAsync("deltimers t"));
        Assert.Equal("deleted: c\nEND\n\n", await statsd.ManageAsync("delcounters c"));
        var stats = await statsd.ManageAsync("stats");
        Assert.StartsWith("uptime: ", stats, StringComparison.Ordinal);
        Assert.Contains("\nmessages.last_msg_seen: ", stats, StringComparison.Ordinal);
        Assert.Contains("\nmessages.bad_lines_seen: 0\n", stats, StringComparison.Ordinal);
        Assert.Contains("\nreceive.datagrams: 1\n", stats, StringComparison.Ordinal);
        Assert.EndsWith("END\n\n", stats, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_prints_the_loaded_object_with_Etsy_additions()
    {
        await using var statsd = await RunningStatsd.StartAsync(new JsonObject
        {
            ["backends"] = new JsonArray("./backends/graphite"),
            ["graphite"] = new JsonObject { ["legacyNamespace"] = false },
            ["debug"] = true,
        });
        var config = await statsd.ManageAsync("config");
        Assert.StartsWith("\n", config, StringComparison.Ordinal);
        Assert.Contains("\nbackends > 0: ./backends/graphite\n", config, StringComparison.Ordinal);
        Assert.Contains("\ngraphite > legacyNamespace: false\n", config, StringComparison.Ordinal);
        Assert.Contains("\ndebug: true\n", config, StringComparison.Ordinal);
        Assert.Contains("\ngaugesMaxTTL: 1\n", config, StringComparison.Ordinal);
        Assert.Contains("\ndeleteIdleStats: false\n", config, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Management_binds_loopback_by_default()
    {
        await using var statsd = await RunningStatsd.StartAsync(new JsonObject { ["backends"] = new JsonArray() });
        Assert.Equal(System.Net.IPAddress.Loopback, statsd.Server.ManagementEndPoint!.Address);
    }
}
