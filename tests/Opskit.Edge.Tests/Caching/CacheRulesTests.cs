using System.Net;
using Microsoft.Extensions.Time.Testing;
using Opskit.Edge.Tests.Support;
using Opskit.Testing;

namespace Opskit.Edge.Tests.Caching;

/// <summary>Every cache rule over real sockets: client → proxy → counting origin, with a fake clock for TTLs.</summary>
public sealed class CacheRulesTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private UpstreamServer _upstream = null!;
    private EdgeServer _edge = null!;

    public async ValueTask InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync();
        _edge = await EdgeServer.StartAsync(_upstream, time: _time);
    }

    public async ValueTask DisposeAsync()
    {
        await _edge.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Response_without_cache_headers_is_cached_for_the_default_120_seconds()
    {
        var first = await _edge.GetAsync("/default");
        var second = await _edge.GetAsync("/default");
        _time.Advance(TimeSpan.FromSeconds(119));
        var third = await _edge.GetAsync("/default");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("MISS", first.XCache());
        Assert.Equal("HIT", second.XCache());
        Assert.Equal("HIT", third.XCache());
        Assert.Equal("119", third.Headers.GetValues("Age").Single());
        Assert.Equal(first.Body(), third.Body());
        Assert.Equal(1, _upstream.Count("/default"));

        _time.Advance(TimeSpan.FromSeconds(12)); // 131 s: past TTL (120) and grace (10)
        var expired = await _edge.GetAsync("/default");
        Assert.Equal("MISS", expired.XCache());
        Assert.Equal(2, _upstream.Count("/default"));
    }

    [Fact]
    public async Task S_maxage_wins_over_max_age()
    {
        const string url = "/smaxage?cc=max-age%3D100%2C%20s-maxage%3D5%2C%20stale-while-revalidate%3D0";
        await _edge.GetAsync(url);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("HIT", (await _edge.GetAsync(url)).XCache());
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("MISS", (await _edge.GetAsync(url)).XCache());
        Assert.Equal(2, _upstream.Count("/smaxage"));
    }

    [Fact]
    public async Task Max_age_is_reduced_by_the_Age_header()
    {
        const string url = "/aged?cc=max-age%3D10%2C%20stale-while-revalidate%3D0&age=8";
        var first = await _edge.GetAsync(url);
        Assert.Equal("8", first.Headers.GetValues("Age").Single());
        _time.Advance(TimeSpan.FromSeconds(1));
        var hit = await _edge.GetAsync(url);
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal("9", hit.Headers.GetValues("Age").Single());
        _time.Advance(TimeSpan.FromSeconds(2)); // 3 s after arrival: 8 + 3 > 10
        Assert.Equal("MISS", (await _edge.GetAsync(url)).XCache());
    }

    [Fact]
    public async Task Expires_counts_from_the_origin_Date_not_from_our_clock()
    {
        // The origin's clock is 25 years behind ours: only Expires − Date (30 s) may matter.
        const string url = "/expires?date=Mon,%2001%20Jan%202001%2000:00:00%20GMT&expires=Mon,%2001%20Jan%202001%2000:00:30%20GMT";
        Assert.Equal("MISS", (await _edge.GetAsync(url)).XCache());
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("HIT", (await _edge.GetAsync(url)).XCache());
        _time.Advance(TimeSpan.FromSeconds(12)); // 41 s > 30 + 10 grace
        Assert.Equal("MISS", (await _edge.GetAsync(url)).XCache());
        Assert.Equal(2, _upstream.Count("/expires"));
    }

    [Theory]
    [InlineData("/nostore?cc=no-store")]
    [InlineData("/private?cc=private%2C%20max-age%3D60")]
    [InlineData("/nocache?cc=no-cache")]
    [InlineData("/setcookie?setcookie=1&cc=max-age%3D60")]
    [InlineData("/varystar?vary=*")]
    [InlineData("/created?status=201")]
    [InlineData("/zero?cc=max-age%3D0")]
    public async Task Uncacheable_responses_go_to_the_origin_every_time(string url)
    {
        var path = url[..url.IndexOf('?', StringComparison.Ordinal)];
        for (var i = 0; i < 3; i++)
        {
            var response = await _edge.GetAsync(url);
            Assert.Equal("MISS", response.XCache());
        }

        Assert.Equal(3, _upstream.Count(path));
    }

    [Theory]
    [InlineData(404)]
    [InlineData(301)]
    [InlineData(410)]
    public async Task Statuses_Varnish_caches_are_cached(int status)
    {
        var url = $"/status{status}?status={status}";
        await _edge.GetAsync(url);
        var second = await _edge.GetAsync(url);

        Assert.Equal(status, (int)second.StatusCode);
        Assert.Equal("HIT", second.XCache());
        Assert.Equal(1, _upstream.Count($"/status{status}"));
    }

    [Fact]
    public async Task Vary_keeps_one_variant_per_header_value()
    {
        const string url = "/vary?vary=Accept-Language";
        var en1 = await _edge.GetAsync(url, null, ("Accept-Language", "en"));
        var fr = await _edge.GetAsync(url, null, ("Accept-Language", "fr"));
        var en2 = await _edge.GetAsync(url, null, ("Accept-Language", "en"));
        var fr2 = await _edge.GetAsync(url, null, ("Accept-Language", "fr"));

        Assert.Contains("\"lang\":\"en\"", en1.Body(), StringComparison.Ordinal);
        Assert.Contains("\"lang\":\"fr\"", fr.Body(), StringComparison.Ordinal);
        Assert.Equal(("HIT", "HIT"), (en2.XCache(), fr2.XCache()));
        Assert.Contains("\"lang\":\"en\"", en2.Body(), StringComparison.Ordinal);
        Assert.Equal(2, _upstream.Count("/vary"));
    }

    [Fact]
    public async Task Coalesced_requests_with_other_Vary_values_get_their_own_variant()
    {
        const string url = "/varyslow?vary=Accept-Language&delay=300";
        var languages = Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? "en" : "fr").ToArray();

        var responses = await Task.WhenAll(languages.Select(lang => _edge.GetAsync(url, null, ("Accept-Language", lang))));

        for (var i = 0; i < languages.Length; i++)
        {
            Assert.Contains($"\"lang\":\"{languages[i]}\"", responses[i].Body(), StringComparison.Ordinal);
        }

        Assert.InRange(_upstream.Count("/varyslow"), 2, 11);
    }

    [Fact]
    public async Task Accept_encoding_is_normalized_to_gzip_or_not()
    {
        // The origin gzips for clients that accept it (ce=gzip): such a body is only for them.
        await _edge.GetAsync("/ae?ce=gzip", null, ("Accept-Encoding", "gzip, deflate, br"));
        var gzip = await _edge.GetAsync("/ae?ce=gzip", null, ("Accept-Encoding", "br;q=1.0, gzip;q=0.5"));
        var identity = await _edge.GetAsync("/ae?ce=gzip", null, ("Accept-Encoding", "identity"));
        var refused = await _edge.GetAsync("/ae?ce=gzip", null, ("Accept-Encoding", "gzip;q=0"));

        Assert.Equal("HIT", gzip.XCache());
        Assert.Contains("\"ae\":\"gzip\"", gzip.Body(), StringComparison.Ordinal);
        Assert.Equal("MISS", identity.XCache());
        Assert.Equal("HIT", refused.XCache());
        Assert.Contains("\"ae\":\"\"", refused.Body(), StringComparison.Ordinal);
        Assert.Equal(2, _upstream.Count("/ae"));
    }

    [Fact]
    public async Task Other_methods_and_authorized_requests_pass()
    {
        using var post = await _edge.Client.PostAsync("/post", new StringContent("x"), TestContext.Current.CancellationToken);
        var authorized1 = await _edge.GetAsync("/auth", null, ("Authorization", "Bearer x"));
        var authorized2 = await _edge.GetAsync("/auth", null, ("Authorization", "Bearer x"));

        Assert.Equal("PASS", post.XCache());
        Assert.Equal(("PASS", "PASS"), (authorized1.XCache(), authorized2.XCache()));
        Assert.Equal(2, _upstream.Count("/auth"));
    }

    [Fact]
    public async Task Head_is_served_from_the_GET_object_without_a_body()
    {
        await _edge.GetAsync("/head?size=100");
        using var head = await _edge.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/head?size=100"), TestContext.Current.CancellationToken);

        Assert.Equal("HIT", head.XCache());
        Assert.True(head.Content.Headers.ContentLength > 100);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(1, _upstream.Count("/head"));
    }

    [Fact]
    public async Task Conditional_requests_are_answered_from_the_cache_with_304()
    {
        const string url = "/cond?etag=v1&lastmod=Wed,%2025%20Nov%202026%2010:00:00%20GMT";
        var first = await _edge.GetAsync(url, null, ("If-None-Match", "\"v1\""));
        var matching = await _edge.GetAsync(url, null, ("If-None-Match", "\"v0\", W/\"v1\""));
        var other = await _edge.GetAsync(url, null, ("If-None-Match", "\"v2\""));
        var notModified = await _edge.GetAsync(url, null, ("If-Modified-Since", "Wed, 25 Nov 2026 12:00:00 GMT"));
        var modified = await _edge.GetAsync(url, null, ("If-Modified-Since", "Tue, 24 Nov 2026 12:00:00 GMT"));

        Assert.Equal(HttpStatusCode.NotModified, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, matching.StatusCode);
        Assert.Equal("HIT", matching.XCache());
        Assert.Empty(await matching.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal("\"v1\"", matching.Headers.ETag?.ToString());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(HttpStatusCode.OK, modified.StatusCode);
        Assert.Contains("\"inm\":\"\"", modified.Body(), StringComparison.Ordinal);
        Assert.Equal(1, _upstream.Count("/cond"));
    }

    [Fact]
    public async Task Hundred_concurrent_misses_make_one_upstream_request()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => _edge.GetAsync("/coalesce?delay=300")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, _upstream.Count("/coalesce"));
        Assert.Single(responses.Select(r => r.Body()).Distinct());
    }

    [Fact]
    public async Task Uncacheable_answers_are_not_shared_between_coalesced_requests()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _edge.GetAsync("/mine?delay=200&setcookie=1")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(10, responses.Select(r => r.Body()).Distinct().Count());
        Assert.Equal(10, _upstream.Count("/mine"));
    }

    [Fact]
    public async Task Grace_serves_stale_while_one_background_fetch_refreshes()
    {
        const string url = "/grace?cc=max-age%3D10%2C%20stale-while-revalidate%3D30&hold=1";
        var original = await _edge.GetAsync(url);
        _time.Advance(TimeSpan.FromSeconds(15));

        // The origin holds the refresh until every stale request is answered: otherwise requests that start
        // after a quick refresh would (rightly) get the new body.
        _upstream.Hold = true;
        var stale = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _edge.GetAsync(url)));

        Assert.All(stale, r => Assert.Equal("HIT", r.XCache()));
        Assert.All(stale, r => Assert.Equal(original.Body(), r.Body()));
        await Eventually.AssertAsync(() => _upstream.Count("/grace") == 2, TimeSpan.FromSeconds(60), "the background refresh to reach the origin");
        _upstream.Hold = false;
        await Eventually.AssertAsync(() => _upstream.Count("/grace") == 2 && _edge.Handler.InflightFetches == 0, TimeSpan.FromSeconds(60), "one background refresh");
        var refreshed = await _edge.GetAsync(url);
        Assert.Equal("HIT", refreshed.XCache());
        Assert.NotEqual(original.Body(), refreshed.Body());
        Assert.Equal(2, _upstream.Count("/grace"));
    }

    [Fact]
    public async Task Stale_if_error_serves_the_old_answer_when_the_origin_fails()
    {
        const string url = "/sie?cc=max-age%3D1%2C%20stale-while-revalidate%3D0%2C%20stale-if-error%3D60";
        var original = await _edge.GetAsync(url);
        _upstream.Failing = true;
        _time.Advance(TimeSpan.FromSeconds(5));

        var stale = await _edge.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(original.Body(), stale.Body());
        Assert.Equal(2, _upstream.Count("/sie"));
        Assert.Equal(1, _edge.Metrics.StaleServed);

        _time.Advance(TimeSpan.FromSeconds(60)); // beyond stale-if-error: the failure shows
        var failed = await _edge.GetAsync(url);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
    }

    [Fact]
    public async Task Unreachable_origin_without_stale_is_a_problem_details_503()
    {
        await using var deadUpstream = await UpstreamServer.StartAsync();
        var port = deadUpstream.Port;
        await deadUpstream.DisposeAsync();
        await using var edge = await EdgeServer.StartAsync(deadUpstream, time: _time);

        var response = await edge.GetAsync("/anything");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"status\":503", response.Body(), StringComparison.Ordinal);
        Assert.True(port > 0);
    }

    [Fact]
    public async Task Slow_first_byte_is_a_504_after_the_first_byte_timeout()
    {
        await using var strict = await EdgeServer.StartAsync(_upstream, new Dictionary<string, string?> { ["Edge:Upstream:FirstByteTimeoutSeconds"] = "0.3" }, _time);

        var started = System.Diagnostics.Stopwatch.StartNew();
        var response = await strict.GetAsync("/slow?delay=20000");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        // Well before the origin would answer (20 s), with room for a loaded machine.
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task Cache_evicts_when_over_its_size_limit()
    {
        await using var small = await EdgeServer.StartAsync(_upstream, new Dictionary<string, string?> { ["Edge:Cache:SizeLimitMegabytes"] = "1" }, _time);
        for (var i = 0; i < 40; i++)
        {
            await small.GetAsync($"/big{i}?size=60000");
        }

        Assert.InRange(small.Cache.Size, 1, 1 << 20);
        Assert.True(small.Cache.Evictions > 0);
        Assert.Equal("HIT", (await small.GetAsync("/big39?size=60000")).XCache());
    }

    [Fact]
    public async Task Origin_headers_reach_the_client_byte_for_byte_on_miss_and_hit()
    {
        const string url = "/bytes?cc=MAX-AGE%3D100%2Cpublic&ct=text/plain;charset=utf-8";
        var miss = await _edge.GetAsync(url);
        var hit = await _edge.GetAsync(url);

        foreach (var response in new[] { miss, hit })
        {
            // NonValidated: the client's own typed headers would re-serialize the values too.
            Assert.Equal("MAX-AGE=100,public", response.Headers.NonValidated["Cache-Control"].ToString());
            Assert.Equal("text/plain;charset=utf-8", response.Content.Headers.NonValidated["Content-Type"].ToString());
        }

        Assert.Equal("HIT", hit.XCache());
    }

    [Theory]
    [InlineData("max-age%3D-100")]
    [InlineData("max-age%3D%27100%27")]
    public async Task Invalid_max_age_makes_the_response_stale(string cc)
    {
        var url = $"/badmaxage{cc.Length}?cc={cc}";
        await _edge.GetAsync(url);
        Assert.Equal("MISS", (await _edge.GetAsync(url)).XCache());
    }

    [Fact]
    public async Task CDN_Cache_Control_takes_precedence_over_Cache_Control()
    {
        // Cache-Control says no-store, the targeted field (RFC 9213) says 100 s: this cache follows the targeted one.
        const string url = "/cdn?cc=no-store";
        await _edge.GetAsync(url + "&cdn=max-age%3D100");
        var second = await _edge.GetAsync(url + "&cdn=max-age%3D100");
        Assert.Equal("HIT", second.XCache());
    }

    [Fact]
    public async Task Opskit_Cache_Control_takes_precedence_over_CDN_Cache_Control_and_Cache_Control()
    {
        const string url = "/occ?cc=no-store&cdn=no-store&occ=max-age%3D100";
        await _edge.GetAsync(url);
        Assert.Equal("HIT", (await _edge.GetAsync(url)).XCache());

        // Invalid (not a structured dictionary): ignored as if absent, so CDN-Cache-Control's no-store applies.
        const string invalid = "/occ-invalid?cc=max-age%3D100&cdn=no-store&occ=max-age%3D%22";
        await _edge.GetAsync(invalid);
        Assert.Equal("MISS", (await _edge.GetAsync(invalid)).XCache());
    }

    [Fact]
    public async Task The_targeted_fields_are_configurable()
    {
        await using var edge = await EdgeServer.StartAsync(_upstream, new Dictionary<string, string?> { ["Edge:Cache:TargetedFields:0"] = "Acme-Cache-Control" }, _time);

        // Only Acme-Cache-Control is targeted at this cache now: Opskit-Cache-Control is an ordinary field.
        const string ours = "/acme?cc=no-store&h=Acme-Cache-Control:max-age%3D100";
        const string notOurs = "/not-acme?cc=no-store&occ=max-age%3D100";
        await edge.GetAsync(ours);
        await edge.GetAsync(notOurs);

        Assert.Equal("HIT", (await edge.GetAsync(ours)).XCache());
        Assert.Equal("MISS", (await edge.GetAsync(notOurs)).XCache());
    }

    [Fact]
    public async Task Vary_values_match_across_whitespace_and_line_splits_but_not_order()
    {
        const string url = "/varyws?vary=Accept-Language";
        await _edge.GetAsync(url, null, ("Accept-Language", "en, fr"));
        var oneLine = await _edge.GetAsync(url, null, ("Accept-Language", "en,fr"));
        var twoLines = await _edge.GetAsync(url, null, ("Accept-Language", "en"), ("Accept-Language", "fr"));
        var spaced = await _edge.GetAsync(url, null, ("Accept-Language", "en ,\tfr"));
        var reordered = await _edge.GetAsync(url, null, ("Accept-Language", "fr, en"));

        Assert.Equal(("HIT", "HIT", "HIT"), (oneLine.XCache(), twoLines.XCache(), spaced.XCache()));
        Assert.Equal("MISS", reordered.XCache());
        Assert.Equal(2, _upstream.Count("/varyws"));
    }

    [Fact]
    public async Task Expires_in_the_obsolete_RFC_850_format_is_understood()
    {
        const string url = "/rfc850?date=Sunday,%2006-Nov-94%2008:49:37%20GMT&expires=Sunday,%2006-Nov-94%2008:50:37%20GMT";
        await _edge.GetAsync(url);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("HIT", (await _edge.GetAsync(url)).XCache());
    }

    [Fact]
    public async Task A_stale_object_with_an_ETag_is_revalidated_and_the_304_updates_its_headers()
    {
        const string url = "/reval?cc=max-age%3D10%2C%20stale-while-revalidate%3D0&etag=v1";
        var first = await _edge.GetAsync(url);
        _time.Advance(TimeSpan.FromSeconds(11));
        var revalidated = await _edge.GetAsync(url);
        var hit = await _edge.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, revalidated.StatusCode);
        Assert.Equal(first.Body(), revalidated.Body());
        Assert.Equal("1", first.Headers.GetValues("X-Origin-Count").Single());
        Assert.Equal("2", revalidated.Headers.GetValues("X-Origin-Count").Single());
        Assert.Equal("HIT", hit.XCache());
        Assert.Equal("2", hit.Headers.GetValues("X-Origin-Count").Single());
        Assert.Equal(2, _upstream.Count("/reval"));
        Assert.Equal("\"v1\"", _upstream.Requests.Last()["If-None-Match"].ToString());
    }

    [Fact]
    public async Task Range_requests_are_served_from_the_complete_stored_object()
    {
        const string url = "/range?size=100";
        var whole = await _edge.GetAsync(url);
        var length = whole.Content.Headers.ContentLength!.Value;
        var bytes = await whole.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        var head = await _edge.GetAsync(url, null, ("Range", "bytes=0-9"));
        var tail = await _edge.GetAsync(url, null, ("Range", "bytes=-5"));
        var multi = await _edge.GetAsync(url, null, ("Range", "bytes=0-0, 2-2"));
        var beyond = await _edge.GetAsync(url, null, ("Range", $"bytes={length + 10}-"));
        var ifRangeMismatch = await _edge.GetAsync(url, null, ("Range", "bytes=0-9"), ("If-Range", "\"other\""));

        Assert.Equal(HttpStatusCode.PartialContent, head.StatusCode);
        Assert.Equal(bytes[..10], await head.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal($"bytes 0-9/{length}", head.Content.Headers.ContentRange!.ToString());
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(bytes[^5..], await tail.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.PartialContent, multi.StatusCode);
        Assert.Equal("multipart/byteranges", multi.Content.Headers.ContentType!.MediaType);
        Assert.Contains($"Content-Range: bytes 2-2/{length}", multi.Body(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ifRangeMismatch.StatusCode);
        Assert.Equal(length, ifRangeMismatch.Content.Headers.ContentLength);
        Assert.Equal(1, _upstream.Count("/range"));
    }

    [Fact]
    public async Task An_identity_body_stored_for_gzip_clients_serves_a_range_request_that_says_identity()
    {
        // Browsers send Accept-Encoding: identity with Range (Fetch standard): the stored plain body suits them.
        const string url = "/identity?size=50";
        await _edge.GetAsync(url, null, ("Accept-Encoding", "gzip, deflate"));
        var ranged = await _edge.GetAsync(url, null, ("Range", "bytes=0-1"), ("Accept-Encoding", "identity"));

        Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
        Assert.Equal("HIT", ranged.XCache());
        Assert.Equal(1, _upstream.Count("/identity"));
    }

    [Fact]
    public async Task A_successful_unsafe_request_invalidates_the_stored_answer()
    {
        await _edge.GetAsync("/inv");
        Assert.Equal("HIT", (await _edge.GetAsync("/inv")).XCache());
        using var post = await _edge.Client.PostAsync("/inv", new StringContent("x"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal("MISS", (await _edge.GetAsync("/inv")).XCache());
    }

    [Fact]
    public async Task No_cache_with_a_validator_is_stored_and_revalidated_on_every_use()
    {
        const string url = "/nocache?cc=no-cache&etag=n1";
        var first = await _edge.GetAsync(url);
        var second = await _edge.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(first.Body(), second.Body());
        Assert.Equal(2, _upstream.Count("/nocache"));
        Assert.Equal("\"n1\"", _upstream.Requests.Last()["If-None-Match"].ToString());
    }
}
