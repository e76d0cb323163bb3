using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Opskit.Edge.Tests.Support;
using Opskit.Testing;

namespace Opskit.Edge.Tests.Caching;

/// <summary>
/// Issue #18: the public HTTP cache test suite (npm <c>http-cache-tests</c> 0.4.5, installed by ./test.sh from
/// tests/npm-packages.txt): its origin server, <c>opskit edge</c> in front with one catch-all route, its client.
/// Floors on the required and optimal counts (raise them, never lower them), and the tests Varnish 7.1 with the
/// default VCL passes must pass here (measured with bench/edge/cache-tests.sh on the same package).
/// </summary>
public sealed class HttpCacheSuiteTests
{
    // Measured 138/157 and 63/86 (bench/edge/cache-tests.sh on the package, 2026-12-07); a little room for a loaded machine.
    private const int RequiredFloor = 135;
    private const int OptimalFloor = 60;

    /// <summary>
    /// Required and optimal tests of the 0.4.5 package that Varnish 7.1 (default VCL) passed in the same run; opskit
    /// edge must pass them too. Left out, as docs/edge.md explains: <c>age-parse-float</c> and
    /// <c>304-etag-update-response-Content-Encoding</c> (the newer suite reversed both), and the <c>check</c> tests.
    /// </summary>
    private static readonly string[] PassedByVarnish =
    [
        "freshness-max-age", "freshness-max-age-0", "freshness-max-age-max-minus-1", "freshness-max-age-max",
        "freshness-max-age-max-plus-1", "freshness-max-age-max-plus", "freshness-max-age-age",
        "freshness-max-age-expires", "freshness-max-age-expires-invalid", "freshness-max-age-0-expires",
        "freshness-max-age-extension", "freshness-max-age-case-insenstive", "freshness-max-age-negative",
        "freshness-s-maxage-shared", "freshness-max-age-s-maxage-shared-shorter",
        "freshness-max-age-s-maxage-shared-shorter-expires", "freshness-max-age-single-quoted",
        "freshness-max-age-ignore-quoted-all", "freshness-max-age-ignore-quoted-all-rev",
        "freshness-max-age-leading-zero", "age-parse-suffix", "age-parse-prefix", "age-parse-suffix-twoline",
        "freshness-expires-future", "freshness-expires-past", "freshness-expires-present",
        "freshness-expires-old-date", "freshness-expires-invalid-date", "freshness-expires-age-slow-date",
        "cc-resp-private-shared", "cc-resp-no-store", "cc-resp-no-store-case-insensitive", "cc-resp-no-store-fresh",
        "cc-resp-no-cache", "cc-resp-no-cache-case-insensitive", "cc-resp-must-revalidate-fresh",
        "cc-resp-must-revalidate-stale", "heuristic-200-cached", "heuristic-201-not_cached",
        "heuristic-202-not_cached", "heuristic-203-cached", "heuristic-204-cached", "heuristic-403-not_cached",
        "heuristic-404-cached", "heuristic-410-cached", "heuristic-414-cached", "heuristic-502-not_cached",
        "heuristic-503-not_cached", "heuristic-504-not_cached", "heuristic-599-not_cached", "status-200-fresh",
        "status-200-stale", "status-203-fresh", "status-203-stale", "status-204-fresh", "status-204-stale",
        "status-299-stale", "status-301-fresh", "status-301-stale", "status-302-fresh", "status-302-stale",
        "status-303-stale", "status-307-fresh", "status-307-stale", "status-308-stale", "status-400-stale",
        "status-404-fresh", "status-404-stale", "status-410-fresh", "status-410-stale", "status-499-stale",
        "status-500-stale", "status-502-stale", "status-503-stale", "status-504-stale", "status-599-stale",
        "status-599-must-understand", "vary-match", "vary-no-match", "vary-omit-stored", "vary-omit",
        "vary-invalidate", "vary-cache-key", "vary-2-match", "vary-2-no-match", "vary-2-match-omit", "vary-3-match",
        "vary-3-no-match", "vary-3-order", "vary-3-omit", "vary-star", "vary-syntax-star", "conditional-lm-fresh",
        "conditional-lm-fresh-earlier", "conditional-lm-stale", "conditional-lm-fresh-rfc850",
        "conditional-etag-strong-respond", "conditional-304-etag", "conditional-etag-precedence",
        "conditional-etag-weak-respond", "conditional-etag-vary-headers", "conditional-etag-strong-generate",
        "conditional-etag-weak-generate-weak", "headers-omit-headers-listed-in-Connection",
        "headers-store-Test-Header", "headers-store-X-Test-Header", "headers-store-Content-Foo",
        "headers-store-X-Content-Foo", "headers-store-Cache-Control", "headers-store-Connection",
        "headers-store-Content-Encoding", "headers-store-Content-Length", "headers-store-Content-Location",
        "headers-store-Content-MD5", "headers-store-Content-Security-Policy", "headers-store-Content-Type",
        "headers-store-Clear-Site-Data", "headers-store-ETag", "headers-store-Expires", "headers-store-Keep-Alive",
        "headers-store-Proxy-Authenticate", "headers-store-Proxy-Authentication-Info",
        "headers-store-Proxy-Authorization", "headers-store-Proxy-Connection", "headers-store-Public-Key-Pins",
        "headers-store-Set-Cookie2", "headers-store-TE", "headers-store-Upgrade", "headers-store-X-Frame-Options",
        "headers-store-X-XSS-Protection", "304-lm-use-stored-Test-Header", "304-etag-update-response-Content-Length",
        "invalidate-POST-failed", "invalidate-PUT-failed", "invalidate-DELETE-failed", "invalidate-M-SEARCH-failed",
        "partial-store-complete-reuse-partial", "partial-store-complete-reuse-partial-no-last",
        "partial-store-complete-reuse-partial-suffix", "partial-use-headers", "other-authorization", "other-age-gen",
        "other-age-update-expires", "other-age-update-max-age", "other-date-update", "query-args-different",
        "query-args-same",
    ];

    [Fact]
    public async Task The_public_cache_suite_passes_at_least_the_floors_and_everything_Varnish_passes()
    {
        var node = ExternalProgram.Require("node", "apt: nodejs");
        var package = Path.Combine(RepoPaths.NodeModules, "http-cache-tests");
        if (!Directory.Exists(package))
        {
            ExternalProgram.Require("http-cache-tests", "npm: http-cache-tests@0.4.5 (tests/npm-packages.txt)", RepoPaths.NodeModules);
        }

        using var dir = new TempDirectory();
        var originPort = FreePort.Tcp();
        await using var origin = ExternalProcess.Start(node, [Path.Combine(package, "server", "server.mjs")], new Dictionary<string, string>
        {
            ["npm_config_protocol"] = "http",
            ["npm_config_port"] = originPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["npm_config_pidfile"] = dir.File("origin.pid"),
        }, package);
        await origin.WaitForTcpPortAsync(originPort, TimeSpan.FromSeconds(30));
        await using var edge = await EdgeServer.StartAsync(c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReverseProxy:Routes:all:ClusterId"] = "origin",
            ["ReverseProxy:Routes:all:Match:Path"] = "/{**catch-all}",
            ["ReverseProxy:Clusters:origin:Destinations:d1:Address"] = $"http://127.0.0.1:{originPort}/",
        }));

        var results = dir.File("results.json");
        await ProgramRun.CheckedAsync("bash", ["-c", $"cd '{package}' && '{node}' --no-warnings cli.mjs > '{results}'"], TimeSpan.FromSeconds(150),
            new Dictionary<string, string>
            {
                ["npm_config_base"] = $"http://127.0.0.1:{edge.Port}",
                ["npm_config_id"] = string.Empty,
                ["npm_package_config_id"] = string.Empty,
            });
        var summary = await ProgramRun.CheckedAsync(node, [Path.Combine(AppContext.BaseDirectory, "Caching", "cache-suite-count.mjs"), package, results], TimeSpan.FromSeconds(30));
        using var document = JsonDocument.Parse(summary.Trim().Split('\n')[^1]);
        var counts = document.RootElement.GetProperty("counts");
        var required = counts.GetProperty("required").GetProperty("passed").GetInt32();
        var optimal = counts.GetProperty("optimal").GetProperty("passed").GetInt32();
        var failed = document.RootElement.GetProperty("failed");
        var report = $"required {required}/{counts.GetProperty("required").GetProperty("total").GetInt32()}, optimal {optimal}/{counts.GetProperty("optimal").GetProperty("total").GetInt32()}; failed: "
            + string.Join(", ", failed.EnumerateObject().Select(f => f.Name));

        Assert.True(required >= RequiredFloor, report);
        Assert.True(optimal >= OptimalFloor, report);
        var regressions = PassedByVarnish.Where(id => failed.TryGetProperty(id, out _)).ToList();
        Assert.True(regressions.Count == 0, $"passed by Varnish, failed here: {string.Join(", ", regressions)}; {report}");
    }
}
