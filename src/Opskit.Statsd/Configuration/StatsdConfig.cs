using System.Text.Json.Nodes;
using Opskit.Statsd.Aggregation;

namespace Opskit.Statsd.Configuration;

/// <summary>One UDP or TCP listener (an Etsy <c>servers</c> entry, or the top-level keys when there is none).</summary>
internal sealed record ServerConfig(bool Tcp, string Address, bool Ipv6, int Port);

/// <summary>A repeater target.</summary>
internal sealed record RepeaterTarget(string Host, int Port);

/// <summary>
/// The typed view of an Etsy configuration object, with Etsy's defaults and Etsy's JavaScript coercions
/// (<c>config.port || 8125</c> and so on). <see cref="Raw"/> keeps the object itself for the management
/// <c>config</c> command and for backends that read their own sections.
/// </summary>
internal sealed class StatsdConfig
{
    private StatsdConfig(JsonObject raw) => Raw = raw;

    public JsonObject Raw { get; }

    public IReadOnlyList<ServerConfig> Servers { get; private init; } = [];

    public string MgmtAddress { get; private init; } = "127.0.0.1";

    public int MgmtPort { get; private init; } = 8126;

    public double FlushIntervalMs { get; private init; } = 10000;

    public IReadOnlyList<double> PercentThresholds { get; private init; } = [90];

    public bool FlushCounts { get; private init; } = true;

    public bool DeleteCounters { get; private init; }

    public bool DeleteTimers { get; private init; }

    public bool DeleteSets { get; private init; }

    public bool DeleteGauges { get; private init; }

    public int GaugesMaxTtl { get; private init; } = 1;

    public string PrefixStats { get; private init; } = "statsd";

    public bool KeyNameSanitize { get; private init; } = true;

    public IReadOnlyList<string>? CalculatedTimerMetrics { get; private init; }

    public IReadOnlyList<HistogramRule> Histograms { get; private init; } = [];

    public string HealthStatus { get; private init; } = "up";

    public bool AutomaticConfigReload { get; private init; } = true;

    public bool Debug { get; private init; }

    /// <summary>Backend short names (<c>"./backends/graphite"</c> → <c>graphite</c>).</summary>
    public IReadOnlyList<string> Backends { get; private init; } = ["graphite"];

    public string? GraphiteHost { get; private init; }

    public int GraphitePort { get; private init; } = 2003;

    public int GraphitePicklePort { get; private init; } = 2004;

    public string GraphiteProtocol { get; private init; } = "text";

    /// <summary>Beyond Etsy: seconds of unsent Graphite flushes kept while Graphite is down.</summary>
    public double GraphiteRetryBufferSeconds { get; private init; } = 300;

    /// <summary>Beyond Etsy: bytes of unsent Graphite flushes kept while Graphite is down (default 128 MiB).</summary>
    public long GraphiteRetryBufferBytes { get; private init; } = 128L * 1024 * 1024;

    /// <summary>Beyond Etsy: ms a connection to Graphite may take to open (default 5000).</summary>
    public int GraphiteConnectTimeoutMs { get; private init; } = 5000;

    /// <summary>Beyond Etsy: ms a write to Graphite may make no progress before the flush is cut (default 30000).</summary>
    public int GraphiteWriteTimeoutMs { get; private init; } = 30000;

    /// <summary>Beyond Etsy: bounds of the TCP input (<c>servers/tcp</c>).</summary>
    public TcpLimits TcpLimits { get; private init; } = TcpLimits.InputDefaults;

    /// <summary>Beyond Etsy: bounds of the management port.</summary>
    public TcpLimits MgmtLimits { get; private init; } = TcpLimits.ManagementDefaults;

    /// <summary>Beyond Etsy: ms the repeater's TCP connection may take to open, and a write may stall (default 5000).</summary>
    public int RepeaterTimeoutMs { get; private init; } = 5000;

    public bool ConsolePrettyprint { get; private init; }

    public IReadOnlyList<RepeaterTarget> Repeater { get; private init; } = [];

    public string RepeaterProtocol { get; private init; } = "udp4";

    public string? FileName { get; private init; }

    public string PrometheusAddress { get; private init; } = "127.0.0.1";

    public int PrometheusPort { get; private init; } = 9102;

    /// <summary>Beyond Etsy: receive loops per UDP listener (default one per core).</summary>
    public int UdpReaders { get; private init; } = Environment.ProcessorCount;

    /// <summary>
    /// Beyond Etsy: how the receive loops of a UDP listener get their datagrams on Linux: <c>shared</c> (default;
    /// all loops call recvmmsg on one socket and the kernel hands each datagram to a waiting loop, so even one
    /// sender keeps every loop busy) or <c>reuseport</c> (a socket per loop bound with SO_REUSEPORT; the kernel
    /// hashes each sender's address to one socket, so one sender uses one loop).
    /// </summary>
    public bool UdpReusePort { get; private init; }

    /// <summary>Beyond Etsy: requested SO_RCVBUF in bytes (default 8 MiB).</summary>
    public int UdpReceiveBuffer { get; private init; } = 8 * 1024 * 1024;

    /// <summary>Beyond Etsy: aggregation shards (default one per four cores, at least one).</summary>
    public int AggregationShards { get; private init; } = DefaultAggregationShards;

    /// <summary>
    /// Beyond Etsy: add the receive-path totals (datagrams, lines, bad lines, kernel drops) to the internal
    /// metrics every flush. Off by default so the flushed names stay exactly Etsy's.
    /// </summary>
    public bool ReceiveStats { get; private init; }

    /// <summary>
    /// Beyond Etsy: how long shutdown waits for the final flush to reach the backends. The default stays under
    /// the 2 s System.CommandLine gives an action after SIGTERM before it returns from Main.
    /// </summary>
    public double ShutdownTimeoutMs { get; private init; } = 10000;

    /// <summary>
    /// Beyond Etsy: bytes of flushes (estimated in memory) that may wait for a backend that is still busy with an
    /// earlier one (default 256 MiB); past it the oldest waiting flush is dropped, counted and logged.
    /// </summary>
    public long FlushQueueBytes { get; private init; } = DefaultFlushQueueBytes;

    internal const long DefaultFlushQueueBytes = 256L * 1024 * 1024;

    /// <summary>The settings aggregation and flushing read (the part a reload may change).</summary>
    public AggregationSettings ToAggregationSettings() => new()
    {
        DeleteCounters = DeleteCounters,
        DeleteTimers = DeleteTimers,
        DeleteSets = DeleteSets,
        DeleteGauges = DeleteGauges,
        GaugesMaxTtl = GaugesMaxTtl,
        PrefixStats = PrefixStats,
        PercentThresholds = PercentThresholds,
        CalculatedTimerMetrics = CalculatedTimerMetrics,
        Histograms = Histograms,
        FlushIntervalMs = FlushIntervalMs,
    };

    /// <summary>Reads a configuration file (JS object literal or JSON).</summary>
    /// <exception cref="FormatException">Bad syntax or a bad value; the message names the file and the key.</exception>
    public static StatsdConfig Load(string path)
    {
        var text = File.ReadAllText(path);
        try
        {
            return FromObject(JsLiteralParser.Parse(text));
        }
        catch (FormatException ex)
        {
            throw new FormatException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Defaults for <c>opskit statsd</c> without a file: loopback listeners and the console backend.</summary>
    public static StatsdConfig Default() => FromObject(new JsonObject
    {
        ["port"] = 8125,
        ["address"] = "127.0.0.1",
        ["mgmt_address"] = "127.0.0.1",
        ["mgmt_port"] = 8126,
        ["backends"] = new JsonArray("./backends/console"),
    });

    /// <summary>Builds the typed view; applies Etsy's coercions and defaults.</summary>
    public static StatsdConfig FromObject(JsonObject raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var deleteIdle = JsValues.Truthy(raw["deleteIdleStats"]);
        bool DeleteOption(string key) => raw.ContainsKey(key) ? JsValues.Truthy(raw[key]) : deleteIdle;

        var maxTtl = raw["gaugesMaxTTL"];
        var ttl = JsValues.IsNumber(maxTtl) && JsValues.Number(maxTtl) % 1 == 0 && JsValues.Number(maxTtl) > 1
            ? (int)Math.Min(JsValues.Number(maxTtl), int.MaxValue)
            : 1;

        var flushInterval = JsValues.Truthy(raw["flushInterval"]) ? JsValues.Number(raw["flushInterval"]) : 10000;
        if (double.IsNaN(flushInterval) || flushInterval <= 0)
        {
            throw new FormatException($"flushInterval must be a positive number of milliseconds, not '{JsValues.Text(raw["flushInterval"])}'");
        }

        var graphite = raw["graphite"] as JsonObject;
        var console = raw["console"] as JsonObject;
        var file = raw["file"] as JsonObject;
        var prometheus = raw["prometheus"] as JsonObject;
        return new StatsdConfig(raw)
        {
            Servers = ReadServers(raw),
            MgmtAddress = JsValues.Truthy(raw["mgmt_address"]) ? JsValues.Text(raw["mgmt_address"]) : "127.0.0.1",
            MgmtPort = Port(raw, "mgmt_port", 8126),
            FlushIntervalMs = flushInterval,
            PercentThresholds = ReadThresholds(raw["percentThreshold"]),
            FlushCounts = !raw.ContainsKey("flush_counts") || JsValues.Truthy(raw["flush_counts"]),
            DeleteCounters = DeleteOption("deleteCounters"),
            DeleteTimers = DeleteOption("deleteTimers"),
            DeleteSets = DeleteOption("deleteSets"),
            DeleteGauges = DeleteOption("deleteGauges"),
            GaugesMaxTtl = ttl,
            PrefixStats = raw.ContainsKey("prefixStats") ? JsValues.Text(raw["prefixStats"]) : "statsd",
            KeyNameSanitize = !raw.ContainsKey("keyNameSanitize") || JsValues.Truthy(raw["keyNameSanitize"]),
            CalculatedTimerMetrics = raw["calculatedTimerMetrics"] is JsonArray filter ? [.. filter.Select(JsValues.Text)] : null,
            Histograms = ReadHistograms(raw["histogram"]),
            HealthStatus = JsValues.Truthy(raw["healthStatus"]) ? JsValues.Text(raw["healthStatus"]) : "up",
            AutomaticConfigReload = !raw.ContainsKey("automaticConfigReload") || raw["automaticConfigReload"] is not JsonValue v || !v.TryGetValue<bool>(out var b) || b,
            Debug = JsValues.Truthy(raw["debug"]),
            Backends = ReadBackends(raw["backends"]),
            GraphiteHost = JsValues.Truthy(raw["graphiteHost"]) ? JsValues.Text(raw["graphiteHost"]) : null,
            GraphitePort = Port(raw, "graphitePort", 2003),
            GraphitePicklePort = Port(raw, "graphitePicklePort", 2004),
            GraphiteProtocol = JsValues.Truthy(raw["graphiteProtocol"]) ? JsValues.Text(raw["graphiteProtocol"]) : "text",
            GraphiteRetryBufferSeconds = graphite?["retryBufferSeconds"] is JsonNode retry ? JsValues.Number(retry) : 300,
            GraphiteRetryBufferBytes = graphite is null ? 128L * 1024 * 1024 : PositiveLong(graphite, "graphite.", "retryBufferBytes", 128L * 1024 * 1024),
            GraphiteConnectTimeoutMs = graphite is null ? 5000 : Positive(graphite, "connectTimeout", 5000, "graphite."),
            GraphiteWriteTimeoutMs = graphite is null ? 30000 : Positive(graphite, "writeTimeout", 30000, "graphite."),
            TcpLimits = new TcpLimits(
                Positive(raw, "tcpMaxLineLength", TcpLimits.InputDefaults.MaxLineLength),
                Positive(raw, "tcpIdleTimeout", TcpLimits.InputDefaults.IdleTimeoutMs),
                Positive(raw, "tcpMaxConnections", TcpLimits.InputDefaults.MaxConnections)),
            MgmtLimits = new TcpLimits(
                Positive(raw, "mgmt_maxLineLength", TcpLimits.ManagementDefaults.MaxLineLength),
                Positive(raw, "mgmt_idleTimeout", TcpLimits.ManagementDefaults.IdleTimeoutMs),
                Positive(raw, "mgmt_maxConnections", TcpLimits.ManagementDefaults.MaxConnections)),
            RepeaterTimeoutMs = Positive(raw, "repeaterTimeout", 5000),
            ConsolePrettyprint = console is not null && JsValues.Truthy(console["prettyprint"]),
            Repeater = ReadRepeater(raw["repeater"]),
            RepeaterProtocol = JsValues.Truthy(raw["repeaterProtocol"]) ? JsValues.Text(raw["repeaterProtocol"]) : "udp4",
            FileName = file?["name"] is JsonNode name ? JsValues.Text(name) : null,
            PrometheusAddress = prometheus?["address"] is JsonNode pa ? JsValues.Text(pa) : "127.0.0.1",
            PrometheusPort = prometheus is null ? 9102 : Port(prometheus, "port", 9102),
            UdpReaders = Positive(raw, "udpReaders", Environment.ProcessorCount),
            UdpReusePort = ReadUdpSocketMode(raw),
            UdpReceiveBuffer = Positive(raw, "udpReceiveBuffer", 8 * 1024 * 1024),
            AggregationShards = Positive(raw, "aggregationShards", DefaultAggregationShards),
            ShutdownTimeoutMs = Positive(raw, "shutdownTimeout", 10000),
            FlushQueueBytes = PositiveLong(raw, string.Empty, "flushQueueBytes", DefaultFlushQueueBytes),
            ReceiveStats = JsValues.Truthy(raw["receiveStats"]),
        };
    }

    /// <summary>
    /// One shard worker per four cores, at least one. Applying a parsed line to a shard costs a quarter to a third
    /// of what receiving and parsing it costs a loop, so one worker keeps up with three or four receive loops; more
    /// workers only add threads that compete with the loops (and the senders) for the cores. Measured on 2 cores:
    /// one shard took more of the blaster's lines than two in six paired runs out of six (docs/benchmarks.md).
    /// </summary>
    private static int DefaultAggregationShards => Math.Max(1, Environment.ProcessorCount / 4);

    private static IReadOnlyList<ServerConfig> ReadServers(JsonObject raw)
    {
        var entries = JsValues.Truthy(raw["servers"]) && raw["servers"] is JsonArray servers
            ? servers.OfType<JsonObject>().ToList()
            : [raw];
        var result = new List<ServerConfig>();
        foreach (var entry in entries)
        {
            var module = JsValues.Truthy(entry["server"]) ? JsValues.Text(entry["server"]) : "./servers/udp";
            var kind = ShortName(module);
            if (kind is not ("udp" or "tcp"))
            {
                throw new FormatException($"servers: unknown server '{module}' (supported: ./servers/udp, ./servers/tcp)");
            }

            var ipv6 = JsValues.Truthy(entry["address_ipv6"]);
            var address = JsValues.Truthy(entry["address"]) ? JsValues.Text(entry["address"]) : (ipv6 ? "::" : "0.0.0.0");
            result.Add(new ServerConfig(kind == "tcp", address, ipv6, Port(entry, "port", 8125)));
        }

        return result;
    }

    private static IReadOnlyList<double> ReadThresholds(JsonNode? node)
    {
        if (!JsValues.Truthy(node))
        {
            return [90];
        }

        return node is JsonArray array ? [.. array.Select(JsValues.Number)] : [JsValues.Number(node)];
    }

    private static IReadOnlyList<HistogramRule> ReadHistograms(JsonNode? node)
    {
        if (node is not JsonArray array)
        {
            return [];
        }

        var rules = new List<HistogramRule>();
        foreach (var item in array.OfType<JsonObject>())
        {
            var bins = new List<double>();
            if (item["bins"] is JsonArray binArray)
            {
                foreach (var bin in binArray)
                {
                    bins.Add(bin is JsonValue v && v.TryGetValue<string>(out var s) && s == "inf" ? double.PositiveInfinity : JsValues.Number(bin));
                }
            }

            rules.Add(new HistogramRule(item["metric"] is JsonNode m ? JsValues.Text(m) : "undefined", bins));
        }

        return rules;
    }

    private static IReadOnlyList<string> ReadBackends(JsonNode? node)
    {
        if (!JsValues.Truthy(node))
        {
            return ["graphite"];
        }

        if (node is not JsonArray array)
        {
            throw new FormatException("backends must be an array, e.g. [ \"./backends/graphite\" ]");
        }

        var names = new List<string>();
        foreach (var item in array)
        {
            var name = ShortName(JsValues.Text(item));
            if (name is not ("graphite" or "console" or "repeater" or "file" or "prometheus"))
            {
                throw new FormatException($"backends: unknown backend '{JsValues.Text(item)}' (supported: graphite, console, repeater, file, prometheus)");
            }

            names.Add(name);
        }

        return names;
    }

    private static IReadOnlyList<RepeaterTarget> ReadRepeater(JsonNode? node)
    {
        if (node is not JsonArray array)
        {
            return [];
        }

        return [.. array.OfType<JsonObject>().Select(t => new RepeaterTarget(JsValues.Text(t["host"]), Port(t, "port", 8125)))];
    }

    /// <summary><c>"./backends/graphite.js"</c>, <c>"statsd/backends/graphite"</c> and <c>"graphite"</c> all name <c>graphite</c>.</summary>
    internal static string ShortName(string module)
    {
        var name = module.Replace('\\', '/');
        var slash = name.LastIndexOf('/');
        if (slash >= 0)
        {
            name = name[(slash + 1)..];
        }

        return name.EndsWith(".js", StringComparison.Ordinal) ? name[..^3] : name;
    }

    private static int Port(JsonObject config, string key, int fallback)
    {
        if (!JsValues.Truthy(config[key]))
        {
            return fallback;
        }

        var value = JsValues.Number(config[key]);
        if (double.IsNaN(value) || value < 0 || value > 65535 || value % 1 != 0)
        {
            throw new FormatException($"{key} must be a port number (0-65535), not '{JsValues.Text(config[key])}'");
        }

        return (int)value;
    }

    private static bool ReadUdpSocketMode(JsonObject raw)
    {
        if (!JsValues.Truthy(raw["udpSocketMode"]))
        {
            return false;
        }

        return JsValues.Text(raw["udpSocketMode"]) switch
        {
            "shared" => false,
            "reuseport" => true,
            var other => throw new FormatException($"udpSocketMode must be 'shared' or 'reuseport', not '{other}'"),
        };
    }

    private static int Positive(JsonObject config, string key, int fallback, string path = "") =>
        (int)PositiveLong(config, path, key, fallback, int.MaxValue);

    private static long PositiveLong(JsonObject config, string path, string key, long fallback, long max = long.MaxValue / 2)
    {
        if (!config.ContainsKey(key))
        {
            return fallback;
        }

        var value = JsValues.Number(config[key]);
        if (double.IsNaN(value) || value < 1 || value > max)
        {
            throw new FormatException($"{path}{key} must be a positive number, not '{JsValues.Text(config[key])}'");
        }

        return (long)value;
    }
}
