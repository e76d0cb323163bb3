using Opskit.Statsd.Configuration;

namespace Opskit.Statsd.Tests.Configuration;

public sealed class JsLiteralParserTests
{
    [Fact]
    public void Parses_Etsy_example_config()
    {
        var config = JsLiteralParser.Parse("""
            /*
            Graphite Required Variable: ...
            */
            {
              graphitePort: 2003
            , graphiteHost: "graphite.example.com"
            , port: 8125
            , backends: [ "./backends/graphite" ]
            }
            """);
        Assert.Equal(2003.0, config["graphitePort"]!.GetValue<double>());
        Assert.Equal("graphite.example.com", config["graphiteHost"]!.GetValue<string>());
        Assert.Equal("./backends/graphite", config["backends"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Accepts_the_JavaScript_literal_subset()
    {
        var config = JsLiteralParser.Parse("""
            ({
              // line comment
              'single': 'it\'s',
              "double": "a\tb\u0041",
              `tick`: `raw`,
              hex: 0x10,
              negative: -2.5e1,
              trailing: [1, 2, 3,],
              nested: { deep: { flag: true, off: false, nothing: null }, },
              gone: undefined,
              percent: [ 90, -10, 99.9 ],
              inf: Infinity,
            });
            """);
        Assert.Equal("it's", config["single"]!.GetValue<string>());
        Assert.Equal("a\tbA", config["double"]!.GetValue<string>());
        Assert.Equal("raw", config["tick"]!.GetValue<string>());
        Assert.Equal(16.0, config["hex"]!.GetValue<double>());
        Assert.Equal(-25.0, config["negative"]!.GetValue<double>());
        Assert.Equal(3, config["trailing"]!.AsArray().Count);
        Assert.True(config["nested"]!["deep"]!["flag"]!.GetValue<bool>());
        Assert.True(config["nested"]!["deep"]!.AsObject().ContainsKey("nothing"));
        Assert.False(config.ContainsKey("gone"));
        Assert.Equal(99.9, config["percent"]![2]!.GetValue<double>());
        Assert.Equal(double.PositiveInfinity, config["inf"]!.GetValue<double>());
    }

    [Fact]
    public void Accepts_json() =>
        Assert.Equal(8125.0, JsLiteralParser.Parse("""{"port": 8125, "backends": ["console"]}""")["port"]!.GetValue<double>());

    [Theory]
    [InlineData("{ port: 8125, host: require('os').hostname() }", "line 1, column 21")]
    [InlineData("{ port: 8125\n  graphitePort: 2003 }", "line 2, column 3")]
    [InlineData("{ port: 'open }", "unterminated string")]
    [InlineData("[1, 2]", "expected '{'")]
    [InlineData("{ a: 1 } extra", "unexpected text")]
    [InlineData("{ a: 1 /* no end", "unterminated comment")]
    public void Reports_where_the_file_is_wrong(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => JsLiteralParser.Parse(text));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}

public sealed class StatsdConfigTests
{
    private static StatsdConfig From(string text) => StatsdConfig.FromObject(JsLiteralParser.Parse(text));

    [Fact]
    public void Etsy_defaults_apply_to_an_empty_config()
    {
        var config = From("{}");
        var server = Assert.Single(config.Servers);
        Assert.Equal(new ServerConfig(false, "0.0.0.0", false, 8125), server);
        Assert.Equal("127.0.0.1", config.MgmtAddress);
        Assert.Equal(8126, config.MgmtPort);
        Assert.Equal(10000, config.FlushIntervalMs);
        Assert.Equal([90.0], config.PercentThresholds);
        Assert.Equal(["graphite"], config.Backends);
        Assert.Equal(2003, config.GraphitePort);
        Assert.Equal(2004, config.GraphitePicklePort);
        Assert.Equal("text", config.GraphiteProtocol);
        Assert.Equal("statsd", config.PrefixStats);
        Assert.True(config.FlushCounts);
        Assert.True(config.KeyNameSanitize);
        Assert.True(config.AutomaticConfigReload);
        Assert.Equal(1, config.GaugesMaxTtl);
        Assert.False(config.DeleteCounters || config.DeleteGauges || config.DeleteSets || config.DeleteTimers);
        Assert.Equal("up", config.HealthStatus);
        Assert.Equal(8 * 1024 * 1024, config.UdpReceiveBuffer);
        Assert.Equal(Environment.ProcessorCount, config.UdpReaders);
        Assert.False(config.UdpReusePort);
    }

    [Fact]
    public void DeleteIdleStats_turns_on_every_delete_option_unless_overridden()
    {
        var config = From("{ deleteIdleStats: true, deleteGauges: false }");
        Assert.True(config.DeleteCounters);
        Assert.True(config.DeleteTimers);
        Assert.True(config.DeleteSets);
        Assert.False(config.DeleteGauges);
    }

    [Theory]
    [InlineData("{ gaugesMaxTTL: 5 }", 5)]
    [InlineData("{ gaugesMaxTTL: 1.5 }", 1)]
    [InlineData("{ gaugesMaxTTL: '5' }", 1)]
    [InlineData("{ gaugesMaxTTL: 0 }", 1)]
    public void GaugesMaxTTL_is_forced_to_1_unless_an_integer_above_1(string text, int expected) =>
        Assert.Equal(expected, From(text).GaugesMaxTtl);

    [Fact]
    public void Servers_backends_and_module_names()
    {
        var config = From("""
            { servers: [ { server: './servers/udp', port: 9000, address_ipv6: true },
                         { server: 'tcp', address: '127.0.0.1', port: 9001 } ],
              backends: [ './backends/console', 'graphite', 'statsd/backends/repeater.js', 'file', 'prometheus' ],
              percentThreshold: 95, repeaterProtocol: 'tcp', repeater: [ { host: 'h', port: 1 } ] }
            """);
        Assert.Equal([new ServerConfig(false, "::", true, 9000), new ServerConfig(true, "127.0.0.1", false, 9001)], config.Servers);
        Assert.Equal(["console", "graphite", "repeater", "file", "prometheus"], config.Backends);
        Assert.Equal([95.0], config.PercentThresholds);
        Assert.Equal([new RepeaterTarget("h", 1)], config.Repeater);
    }

    [Theory]
    [InlineData("{ backends: ['./backends/nope'] }", "unknown backend './backends/nope'")]
    [InlineData("{ port: 'abc' }", "port must be a port number")]
    [InlineData("{ flushInterval: -5 }", "flushInterval must be a positive number")]
    [InlineData("{ servers: [ { server: './servers/unix' } ] }", "unknown server")]
    [InlineData("{ udpReaders: 0 }", "udpReaders must be a positive number")]
    [InlineData("{ udpSocketMode: 'spread' }", "udpSocketMode must be 'shared' or 'reuseport'")]
    public void Bad_values_name_the_key(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => From(text));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Histogram_and_filters()
    {
        var config = From("{ histogram: [ { metric: 'render', bins: [ 0.01, 0.1, 1, 10, 'inf'] } ], calculatedTimerMetrics: ['count', 'upper_percent'] }");
        var rule = Assert.Single(config.Histograms);
        Assert.Equal("render", rule.Metric);
        Assert.Equal([0.01, 0.1, 1, 10, double.PositiveInfinity], rule.Bins);
        Assert.Equal(["count", "upper_percent"], config.CalculatedTimerMetrics);
    }

    [Fact]
    public void Load_names_the_file_in_errors()
    {
        using var dir = new Opskit.Testing.TempDirectory();
        var path = dir.File("bad.js");
        File.WriteAllText(path, "{ port: }");
        var ex = Assert.Throws<FormatException>(() => StatsdConfig.Load(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_without_a_file_listen_on_loopback_with_console()
    {
        var config = StatsdConfig.Default();
        Assert.Equal(new ServerConfig(false, "127.0.0.1", false, 8125), Assert.Single(config.Servers));
        Assert.Equal(["console"], config.Backends);
        Assert.Equal("127.0.0.1", config.MgmtAddress);
    }

    [Fact]
    public void Embedded_defaults_use_prometheus_on_loopback()
    {
        var config = StatsdConfig.FromObject(StatsdTool.EmbeddedConfig());
        Assert.Equal(["prometheus"], config.Backends);
        Assert.Equal(9102, config.PrometheusPort);
        Assert.Equal("127.0.0.1", config.PrometheusAddress);
        Assert.Equal(8126, config.MgmtPort);
    }
}
