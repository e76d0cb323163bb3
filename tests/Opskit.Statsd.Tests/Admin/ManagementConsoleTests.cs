using System.Text.Json.Nodes;
using Opskit.Statsd.Admin;
using Opskit.Statsd.Tests.Support;

namespace Opskit.Statsd.Tests.Admin;

public sealed class ManagementConsoleTests
{
    [Fact] // mgmt_console_tests.stat_matches
    public void Stat_matches()
    {
        IReadOnlyList<string> stats = ["a.b", "a.c", "c"];
        Assert.Empty(ManagementConsole.ExistingStats(stats, "d"));
        Assert.Empty(ManagementConsole.ExistingStats(stats, "a"));
        Assert.Empty(ManagementConsole.ExistingStats(stats, "c.a"));
        Assert.Empty(ManagementConsole.ExistingStats(stats, "c.*"));
        Assert.Empty(ManagementConsole.ExistingStats(stats, string.Empty));
        Assert.Equal(["a.b"], ManagementConsole.ExistingStats(stats, "a.b"));
        Assert.Equal(["c"], ManagementConsole.ExistingStats(stats, "c"));
        Assert.Equal(["a.b", "a.c"], ManagementConsole.ExistingStats(stats, "a.*"));
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
        Assert.Equal("Commands: stats, counters, timers, gauges, delcounters, deltimers, delgauges, health, config, quit\n\n", await statsd.ManageAsync("help"));
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
