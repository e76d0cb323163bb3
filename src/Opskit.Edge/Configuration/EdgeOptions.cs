using Opskit.Edge.Rollout;

namespace Opskit.Edge.Configuration;

/// <summary>
/// The <c>Edge</c> section of the configuration file (the <c>ReverseProxy</c> section next to it is plain YARP
/// configuration: routes and clusters). Every default is documented in docs/edge.md.
/// </summary>
public sealed class EdgeOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Edge";

    /// <summary>Listen URL(s), separated by ';'. Default <c>http://127.0.0.1:8080</c>. Applied on reload (Kestrel rebinds).</summary>
    public string Listen { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Admin listener for <c>/metrics</c> and <c>/status</c>, e.g. <c>http://127.0.0.1:8081</c>. Default empty: off.</summary>
    public string AdminListen { get; set; } = string.Empty;

    /// <summary>Cache settings.</summary>
    public CacheOptions Cache { get; set; } = new();

    /// <summary>Upstream timeouts.</summary>
    public UpstreamOptions Upstream { get; set; } = new();

    /// <summary>Who may PURGE and BAN: CIDR blocks. Default (unset) loopback only: 127.0.0.0/8 and ::1/128.</summary>
    /// <remarks>Null by default because the configuration binder appends to a pre-filled list instead of replacing it.</remarks>
    public List<string>? PurgeAcl { get; set; }

    /// <summary>The ACL in effect: <see cref="PurgeAcl"/> or loopback.</summary>
    public IReadOnlyList<string> EffectivePurgeAcl => PurgeAcl is { Count: > 0 } acl ? acl : ["127.0.0.0/8", "::1/128"];

    /// <summary>Response header carrying the gate decision. Default <c>X-Personalization</c>.</summary>
    public string DecisionHeader { get; set; } = "X-Personalization";

    /// <summary>Access log in varnishncsa's default format plus hit/miss/pass: a file path, <c>-</c> for stdout, empty for none (default).</summary>
    public string AccessLog { get; set; } = string.Empty;

    /// <summary>Per-route policy by YARP route id. Routes without an entry are cached without a gate.</summary>
    public Dictionary<string, RoutePolicyOptions> Policies { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Health probes by YARP cluster id (Varnish <c>probe</c> semantics). Clusters without one are always healthy.</summary>
    public Dictionary<string, ProbeOptions> Probes { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Cache settings (Varnish 7 defaults).</summary>
public sealed class CacheOptions
{
    /// <summary>Memory for cached objects, in MiB. Default 256.</summary>
    public int SizeLimitMegabytes { get; set; } = 256;

    /// <summary>Largest single object cached, in KiB; larger answers are passed. Default 8192.</summary>
    public int MaxObjectKilobytes { get; set; } = 8192;

    /// <summary>TTL when the response gives none (Varnish <c>default_ttl</c>). Default 120.</summary>
    public double DefaultTtlSeconds { get; set; } = 120;

    /// <summary>
    /// Grace when the response gives no <c>stale-while-revalidate</c>. Default 0: RFC 9111 §4.2.4 forbids serving
    /// stale answers the origin did not allow (Varnish's <c>default_grace</c> is 10; set 10 for its behaviour).
    /// </summary>
    public double DefaultGraceSeconds { get; set; }

    /// <summary>Keep when the response gives no <c>stale-if-error</c> (Varnish <c>default_keep</c>). Default 0.</summary>
    public double DefaultKeepSeconds { get; set; }

    /// <summary>
    /// Targeted cache-control fields (RFC 9213) obeyed instead of <c>Cache-Control</c>, most specific first; the first
    /// valid one present wins. Default (unset) <c>Opskit-Cache-Control</c>, <c>CDN-Cache-Control</c>; an empty list
    /// (<c>[]</c> in JSON is not bindable, so use one empty string) obeys only <c>Cache-Control</c>.
    /// </summary>
    /// <remarks>Null by default because the configuration binder appends to a pre-filled list instead of replacing it.</remarks>
    public List<string>? TargetedFields { get; set; }
}

/// <summary>Upstream timeouts (Varnish <c>connect_timeout</c> and <c>first_byte_timeout</c> defaults).</summary>
public sealed class UpstreamOptions
{
    /// <summary>TCP connect timeout. Default 3.5 s.</summary>
    public double ConnectTimeoutSeconds { get; set; } = 3.5;

    /// <summary>Time until the response headers arrive. Default 60 s.</summary>
    public double FirstByteTimeoutSeconds { get; set; } = 60;
}

/// <summary>Policy of one route.</summary>
public sealed class RoutePolicyOptions
{
    /// <summary>Cache GET/HEAD answers of this route. Default true; false passes everything.</summary>
    public bool Cache { get; set; } = true;

    /// <summary>The personalization gate; absent means no gate.</summary>
    public GateOptions? Gate { get; set; }

    /// <summary>
    /// Request headers that cacheable fetches of this route forward to the origin although a client could use them to
    /// change its answer (<c>X-Forwarded-Host</c>, <c>Forwarded</c>, …): each one listed is also part of the cache key,
    /// like a <c>Vary</c> the route declares. Default none: such headers are removed from cacheable fetches.
    /// </summary>
    public List<string>? CacheKeyHeaders { get; set; }
}

/// <summary>The personalization gate of a route.</summary>
public sealed class GateOptions
{
    /// <summary>Cookie holding the user id. Default <c>userId</c>.</summary>
    public string Cookie { get; set; } = "userId";

    /// <summary>Longest cookie value accepted; longer counts as no cookie. Default 128.</summary>
    public int MaxCookieLength { get; set; } = 128;

    /// <summary>The profiles SQLite file (required). A missing or broken file means "no profile".</summary>
    public string Database { get; set; } = string.Empty;

    /// <summary>Table. Default <c>user_profiles</c>.</summary>
    public string Table { get; set; } = "user_profiles";

    /// <summary>Key column. Default <c>profile_id</c>.</summary>
    public string Column { get; set; } = "profile_id";

    /// <summary>Optional flag column honoured when the table has it. Default <c>has_profile</c>; empty disables.</summary>
    public string FlagColumn { get; set; } = "has_profile";

    /// <summary>Share of users with a profile who are personalized, 0–100 with up to two decimals. Default 0.</summary>
    public decimal RolloutPercentage { get; set; }

    /// <summary>Salt of the sticky bucket hash; change it to reshuffle who is in. Default empty.</summary>
    public string RolloutSalt { get; set; } = string.Empty;

    /// <summary><c>Sticky</c> (default) or <c>Random</c>.</summary>
    public RolloutMode RolloutMode { get; set; } = RolloutMode.Sticky;

    /// <summary>Request header sent upstream on personalized requests: <c>id=&lt;user&gt;; decision=personalized</c>. Default <c>X-Edge-User</c>.</summary>
    public string UpstreamHeader { get; set; } = "X-Edge-User";
}

/// <summary>A Varnish-style health probe of every destination of a cluster.</summary>
public sealed class ProbeOptions
{
    /// <summary>Path probed with GET. Default <c>/</c>.</summary>
    public string Url { get; set; } = "/";

    /// <summary>Seconds between probes. Default 5.</summary>
    public double IntervalSeconds { get; set; } = 5;

    /// <summary>Probe timeout. Default 2 s.</summary>
    public double TimeoutSeconds { get; set; } = 2;

    /// <summary>How many recent probes are considered. Default 8 (max 64).</summary>
    public int Window { get; set; } = 8;

    /// <summary>How many of them must be good to be healthy. Default 3.</summary>
    public int Threshold { get; set; } = 3;

    /// <summary>Probes counted as good at start. Default threshold − 1 (sick until one probe succeeds), as Varnish.</summary>
    public int? Initial { get; set; }

    /// <summary>Status a good probe answers. Default 200.</summary>
    public int ExpectedStatus { get; set; } = 200;
}
