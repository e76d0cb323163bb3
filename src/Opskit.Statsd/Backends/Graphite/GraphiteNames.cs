using System.Text;
using System.Text.Json.Nodes;
using Opskit.Statsd.Configuration;
using Opskit.Statsd.Protocol;

namespace Opskit.Statsd.Backends.Graphite;

/// <summary>
/// Etsy <c>backends/graphite.js</c> naming: the legacy and the new namespaces, prefixes, global suffix, tags
/// after the suffix, and output-side key sanitizing when <c>keyNameSanitize</c> is off.
/// </summary>
internal sealed class GraphiteNames
{
    public GraphiteNames(JsonObject config)
    {
        var graphite = config["graphite"] as JsonObject ?? [];
        string Option(string key, string fallback) => graphite.ContainsKey(key) ? JsValues.Text(graphite[key]) : fallback;
        var globalPrefix = Option("globalPrefix", "stats");
        var prefixCounter = Option("prefixCounter", "counters");
        var prefixTimer = Option("prefixTimer", "timers");
        var prefixGauge = Option("prefixGauge", "gauges");
        var prefixSet = Option("prefixSet", "sets");
        GlobalSuffix = graphite.ContainsKey("globalSuffix") ? "." + JsValues.Text(graphite["globalSuffix"]) : string.Empty;
        PrefixStats = config.ContainsKey("prefixStats") ? JsValues.Text(config["prefixStats"]) : "statsd";
        // Etsy compares with === true / === false: only booleans count; anything else keeps the legacy
        // namespaces at init but takes the new-style branch at flush.
        var legacy = graphite["legacyNamespace"];
        var isFalse = legacy is JsonValue lf && lf.TryGetValue<bool>(out var f) && !f;
        LegacyFlush = legacy is null || (legacy is JsonValue lt && lt.TryGetValue<bool>(out var t) && t);
        SanitizeOnOutput = config.ContainsKey("keyNameSanitize") && !JsValues.Truthy(config["keyNameSanitize"]);
        FlushCounts = !config.ContainsKey("flush_counts") || JsValues.Truthy(config["flush_counts"]);
        if (isFalse)
        {
            List<string> Namespace(string prefix)
            {
                var ns = new List<string>();
                if (globalPrefix.Length > 0)
                {
                    ns.Add(globalPrefix);
                }

                if (prefix.Length > 0)
                {
                    ns.Add(prefix);
                }

                return ns;
            }

            Global = globalPrefix.Length > 0 ? [globalPrefix] : [];
            Counter = Namespace(prefixCounter);
            Timer = Namespace(prefixTimer);
            Gauge = Namespace(prefixGauge);
            Set = Namespace(prefixSet);
        }
        else
        {
            Global = ["stats"];
            Counter = ["stats"];
            Timer = ["stats", "timers"];
            Gauge = ["stats", "gauges"];
            Set = ["stats", "sets"];
        }
    }

    public IReadOnlyList<string> Global { get; }

    public IReadOnlyList<string> Counter { get; }

    public IReadOnlyList<string> Timer { get; }

    public IReadOnlyList<string> Gauge { get; }

    public IReadOnlyList<string> Set { get; }

    public string GlobalSuffix { get; }

    public string PrefixStats { get; }

    public bool LegacyFlush { get; }

    public bool FlushCounts { get; }

    private bool SanitizeOnOutput { get; }

    /// <summary>
    /// The fixed parts of a name around its key, encoded once per flush: <c>ns.</c> before the key and
    /// <c>.part1.part2</c> + global suffix after it (tags follow the suffix).
    /// </summary>
    public NameTemplate Template(IReadOnlyList<string> ns, string? part1 = null, string? part2 = null)
    {
        var before = new StringBuilder();
        foreach (var part in ns)
        {
            before.Append(part).Append('.');
        }

        var after = new StringBuilder();
        foreach (var part in (ReadOnlySpan<string?>)[part1, part2])
        {
            if (part is not null)
            {
                after.Append('.').Append(part);
            }
        }

        after.Append(GlobalSuffix);
        var prefix = before.ToString();
        var tail = after.ToString();
        return new NameTemplate(ns, part1, part2, Encoding.UTF8.GetBytes(prefix), prefix.Length, Encoding.UTF8.GetBytes(tail), tail.Length);
    }

    /// <summary><see cref="Format"/> for a <see cref="NameTemplate"/>, written straight into a payload: the hot path of a big flush.</summary>
    public void WriteName(GraphitePayloadWriter writer, NameTemplate template, string key)
    {
        if (SanitizeOnOutput)
        {
            writer.Write(Format(template.Namespace, key, template.Part1, template.Part2));
            return;
        }

        var semi = key.IndexOf(';', StringComparison.Ordinal);
        writer.WriteEncoded(template.Prefix, template.PrefixLength);
        writer.Write(semi < 0 ? key.AsSpan() : key.AsSpan(0, semi));
        writer.WriteEncoded(template.Tail, template.TailLength);
        if (semi >= 0)
        {
            writer.Write(key.AsSpan(semi));
        }
    }

    /// <summary><see cref="Format"/> written straight into a payload (no string per line).</summary>
    public void WriteName(GraphitePayloadWriter writer, IReadOnlyList<string> ns, string key, string? part1 = null, string? part2 = null, string? part3 = null)
    {
        if (SanitizeOnOutput)
        {
            writer.Write(Format(ns, key, part1, part2, part3)); // keyNameSanitize off: rare, keeps one code path for it
            return;
        }

        var semi = key.IndexOf(';', StringComparison.Ordinal);
        var name = semi < 0 ? key.AsSpan() : key.AsSpan(0, semi);
        for (var i = 0; i < ns.Count; i++)
        {
            writer.Write(ns[i]);
            writer.WriteAscii("."u8);
        }

        writer.Write(name);
        foreach (var part in (ReadOnlySpan<string?>)[part1, part2, part3])
        {
            if (part is not null)
            {
                writer.WriteAscii("."u8);
                writer.Write(part);
            }
        }

        writer.Write(GlobalSuffix);
        if (semi >= 0)
        {
            writer.Write(key.AsSpan(semi));
        }
    }

    /// <summary>Etsy <c>format(namespace, key, ...parts)</c>: namespace.key.parts + suffix + ;tags.</summary>
    public string Format(IReadOnlyList<string> ns, string key, string? part1 = null, string? part2 = null, string? part3 = null)
    {
        var semi = key.IndexOf(';', StringComparison.Ordinal);
        var name = semi < 0 ? key : key[..semi];
        var tags = semi < 0 ? string.Empty : key[semi..];
        if (SanitizeOnOutput)
        {
            var bytes = Encoding.UTF8.GetBytes(name);
            name = Encoding.UTF8.GetString(bytes, 0, KeySanitizer.SanitizeInPlace(bytes));
        }

        var sb = new StringBuilder(64);
        foreach (var part in ns)
        {
            sb.Append(part).Append('.');
        }

        sb.Append(name);
        foreach (var part in (ReadOnlySpan<string?>)[part1, part2, part3])
        {
            if (part is not null)
            {
                sb.Append('.').Append(part);
            }
        }

        return sb.Append(GlobalSuffix).Append(tags).ToString();
    }
}

/// <summary>A name's fixed parts for <see cref="GraphiteNames.WriteName(GraphitePayloadWriter, NameTemplate, string)"/>.</summary>
internal sealed record NameTemplate(
    IReadOnlyList<string> Namespace, string? Part1, string? Part2, byte[] Prefix, int PrefixLength, byte[] Tail, int TailLength);
