using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Opskit.Edge.Caching;
using Opskit.Edge.Profiles;
using Opskit.Edge.Proxy;
using Opskit.Edge.Rollout;
using Yarp.ReverseProxy.Model;

namespace Opskit.Edge.Http;

/// <summary>
/// The request path of the proxy. <see cref="TryServeFast"/> runs before routing and answers fresh hits straight
/// from memory (the common case, kept allocation-free); everything else goes through YARP routing into
/// <see cref="HandleAsync"/>: the gate, cache lookup, coalesced fetches, grace, stale-if-error, or pass to YARP's
/// forwarder for personalized and uncacheable requests.
/// </summary>
internal sealed partial class EdgeRequestHandler
{
    private const int MaxIdBytes = 3 * 1024;
    private const int FastKeyChars = 1024;

    private static readonly StringValues HitValue = "HIT";
    private static readonly StringValues MissValue = "MISS";
    private static readonly StringValues PassValue = "PASS";
    private static readonly StringValues[] DecisionValues = BuildDecisionValues();
    private static readonly string[] AgeValues = new string[3600];

    private readonly EdgeRuntime _runtime;
    private readonly HttpCache _cache;
    private readonly UpstreamFetcher _fetcher;
    private readonly HealthProbes _probes;
    private readonly EdgeMetrics _metrics;
    private readonly AccessLog _accessLog;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly ConcurrentDictionary<string, Task<FetchResult>> _inflight = new(StringComparer.Ordinal);
    private uint _roundRobin;

    public EdgeRequestHandler(
        EdgeRuntime runtime, HttpCache cache, UpstreamFetcher fetcher, HealthProbes probes, EdgeMetrics metrics,
        AccessLog accessLog, TimeProvider time, ILogger<EdgeRequestHandler> logger, IHostApplicationLifetime lifetime)
    {
        _runtime = runtime;
        _cache = cache;
        _fetcher = fetcher;
        _probes = probes;
        _metrics = metrics;
        _accessLog = accessLog;
        _time = time;
        _logger = logger;
        _stopping = lifetime.ApplicationStopping;
    }

    /// <summary>Coalesced fetches in flight (for tests and stats).</summary>
    public int InflightFetches => _inflight.Count;

    /// <summary>
    /// Serves a fresh hit whose route does not personalize this request, or returns null to let routing handle it.
    /// No allocation beyond the response Kestrel builds.
    /// </summary>
    public Task? TryServeFast(HttpContext context)
    {
        var request = context.Request;
        var method = request.Method;
        var isHead = HttpMethods.IsHead(method);
        if ((!isHead && !HttpMethods.IsGet(method)) || request.Headers.Authorization.Count != 0)
        {
            return null;
        }

        Span<char> key = stackalloc char[FastKeyChars];
        if (!CacheKey.TryWrite(key, CacheKey.AcceptsGzip(request.Headers), request.Host.Value, request.Path.Value, request.QueryString.Value, out var length))
        {
            return null;
        }

        var item = _cache.LookupAnyEncoding(key[..length], request.Headers);
        if (item is null || item.HitForMiss)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (item.StateAt(now) != CacheState.Fresh)
        {
            return null;
        }

        var snapshot = _runtime.Current;
        var policy = snapshot.PolicyFor(item.RouteId);
        if (!policy.Cache)
        {
            return null;
        }

        Span<byte> id = stackalloc byte[MaxIdBytes];
        var decision = Evaluate(context, policy, id, out _);
        if (decision == GateDecision.Personalized)
        {
            return null;
        }

        _metrics.Hit();
        return Serve(context, item, now, HitValue, decision, snapshot, isHead, "hit");
    }

    /// <summary>Handles a routed request (inside YARP's proxy pipeline; <paramref name="next"/> forwards it).</summary>
    public Task HandleAsync(HttpContext context, RequestDelegate next)
    {
        var feature = context.GetReverseProxyFeature();
        var snapshot = _runtime.Current;
        var policy = snapshot.PolicyFor(feature.Route.Config.RouteId);
        var request = context.Request;
        var isHead = HttpMethods.IsHead(request.Method);
        var cacheable = policy.Cache && (isHead || HttpMethods.IsGet(request.Method)) && request.Headers.Authorization.Count == 0;

        Span<byte> id = stackalloc byte[MaxIdBytes];
        var decision = Evaluate(context, policy, id, out var idLength);
        // Only the proxy may tell the backend who the user is, on every route (unless a route keys on the header).
        foreach (var userHeader in snapshot.UserHeaders)
        {
            if (policy.Gate is not null || !policy.KeysOn(userHeader))
            {
                request.Headers.Remove(userHeader);
            }
        }

        if (policy.Gate is { } gate)
        {
            if (decision == GateDecision.Personalized)
            {
                request.Headers[gate.UpstreamHeader] = $"id={Encoding.UTF8.GetString(id[..idLength])}; decision=personalized";
            }
        }

        if (!cacheable || decision == GateDecision.Personalized)
        {
            return PassAsync(context, next, feature, decision, snapshot);
        }

        return CachedAsync(context, next, feature, decision, snapshot, policy, isHead);
    }

    private GateDecision Evaluate(HttpContext context, RoutePolicy policy, Span<byte> id, out int idLength)
    {
        idLength = 0;
        if (policy.Gate is not { } gate)
        {
            return GateDecision.None;
        }

        if (CookieParser.TryFind(context.Request.Headers.Cookie, gate.Cookie, gate.MaxCookieLength, out var value) != CookieLookup.Found
            || !Encoding.UTF8.TryGetBytes(value, id, out idLength))
        {
            return GateDecision.Anonymous;
        }

        var userId = id[..idLength];
        var hasProfile = gate.Store.Lookup(userId) == ProfileLookupResult.Found;
        return GateDecisions.Decide(true, hasProfile, hasProfile && gate.Rollout.Includes(userId));
    }

    private async Task PassAsync(HttpContext context, RequestDelegate next, IReverseProxyFeature feature, GateDecision decision, EdgeSnapshot snapshot)
    {
        _metrics.Pass();
        if (!RestrictToHealthy(feature))
        {
            await ProblemDetailsWriter.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Upstream unavailable",
                $"every destination of cluster '{feature.Cluster.Config.ClusterId}' is marked sick by its health probe").ConfigureAwait(false);
            _accessLog.Log(context, 503, 0, "pass");
            return;
        }

        var headers = context.Response.Headers;
        headers["X-Cache"] = PassValue;
        if (decision != GateDecision.None)
        {
            headers[snapshot.DecisionHeader] = DecisionValues[(int)decision];
        }

        await next(context).ConfigureAwait(false);
        InvalidateAfterUnsafeMethod(context);
        _accessLog.Log(context, context.Response.StatusCode, context.Response.ContentLength ?? 0, "pass");
    }

    private async Task CachedAsync(
        HttpContext context, RequestDelegate next, IReverseProxyFeature feature, GateDecision decision, EdgeSnapshot snapshot, RoutePolicy policy, bool isHead)
    {
        var request = context.Request;
        var acceptsGzip = CacheKey.AcceptsGzip(request.Headers);
        var key = CacheKey.Create(acceptsGzip, request.Host.Value ?? string.Empty, string.Concat(request.Path.Value, request.QueryString.Value));
        var now = _time.GetUtcNow();
        var item = LookupAnyEncoding(key, request.Headers);
        var state = item?.StateAt(now) ?? CacheState.Expired;
        if (item is { HitForMiss: false } && state is CacheState.Fresh or CacheState.Grace)
        {
            _metrics.Hit();
            if (state == CacheState.Grace)
            {
                StartRefresh(context, feature, key, acceptsGzip, snapshot, policy, item);
            }

            await Serve(context, item, now, HitValue, decision, snapshot, isHead, "hit").ConfigureAwait(false);
            return;
        }

        var stale = item is { HitForMiss: false } && state == CacheState.Kept ? item : null;
        var destination = PickDestination(feature);
        if (destination is null)
        {
            await ServeStaleOrProblemAsync(context, stale, null, null, decision, snapshot, isHead,
                $"every destination of cluster '{feature.Cluster.Config.ClusterId}' is marked sick by its health probe").ConfigureAwait(false);
            return;
        }

        _metrics.Miss();
        var upstream = UpstreamRequest.From(request, key, acceptsGzip, feature.Route.Config.RouteId, policy, snapshot);
        upstream.Stale = Revalidatable(item);
        var address = new Uri(destination.Model.Config.Address);
        FetchResult result;
        InflightBody.Reader? reader;
        var xcache = MissValue;
        if (item is { HitForMiss: true } && state == CacheState.Fresh)
        {
            // Hit-for-miss: the last answer was uncacheable, so requests do not wait for each other.
            result = await FetchAndStoreAsync(address, upstream, snapshot.Defaults).ConfigureAwait(false);
            reader = result.Streaming?.First;
        }
        else
        {
            var (shared, leader) = Coalesce(address, upstream, snapshot.Defaults);
            result = await shared.ConfigureAwait(false);
            reader = leader ? result.Streaming?.First : null;
            if (!leader && result.Response is { } theirs && (theirs.HitForMiss || !HttpCache.VaryMatches(theirs, request.Headers)))
            {
                // Someone else's uncacheable answer (maybe with their Set-Cookie) is never shared, nor a variant for
                // other Vary values: fetch our own.
                result = await FetchAndStoreAsync(address, upstream, snapshot.Defaults).ConfigureAwait(false);
                reader = result.Streaming?.First;
            }
            else if (!leader)
            {
                // Served from the same in-flight body, from its first byte; when that was already dropped (an object
                // over the limit passing through), fetched again for this client.
                xcache = HitValue;
                if (result.Streaming is { } streaming && (reader = streaming.Attach()) is null)
                {
                    xcache = MissValue;
                    result = await FetchAndStoreAsync(address, upstream, snapshot.Defaults).ConfigureAwait(false);
                    reader = result.Streaming?.First;
                }
            }
        }

        using (reader)
        {
            if (result.Failed)
            {
                await ServeStaleOrProblemAsync(context, stale, result, reader, decision, snapshot, isHead,
                    result.Error?.Message ?? $"upstream answered {result.Response?.Status}").ConfigureAwait(false);
                return;
            }

            await ServeFetchedAsync(context, result, reader, xcache, decision, snapshot, isHead, "miss").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Serves a fetched answer: streamed while it arrives, except for HEAD and Range requests, which wait for the
    /// whole object (a HEAD needs no body and a range is cut from the stored one; past the object limit a range
    /// request gets the whole 200 as it streams, which RFC 9110 §14.2 allows).
    /// </summary>
    private async Task ServeFetchedAsync(
        HttpContext context, FetchResult result, InflightBody.Reader? reader, StringValues xcache, GateDecision decision, EdgeSnapshot snapshot, bool isHead, string handling)
    {
        var item = result.Response!;
        if (result.Completion is { } completion && reader is not null && (isHead || context.Request.Headers.Range.Count != 0))
        {
            if (isHead)
            {
                reader.Dispose(); // A HEAD reads nothing: an object over the limit need not be fetched for it.
            }

            if (await completion.ConfigureAwait(false) is { } whole)
            {
                await Serve(context, whole, _time.GetUtcNow(), xcache, decision, snapshot, isHead, handling).ConfigureAwait(false);
                return;
            }
        }

        if (reader is null || result.Streaming is not { } streaming)
        {
            await Serve(context, item, _time.GetUtcNow(), xcache, decision, snapshot, isHead, handling).ConfigureAwait(false);
            return;
        }

        await StreamAsync(context, item, streaming, reader, xcache, decision, snapshot, isHead, handling).ConfigureAwait(false);
    }

    /// <summary>Sends the headers now and each part of the body as soon as the origin sent it.</summary>
    private async Task StreamAsync(
        HttpContext context, CachedObject item, InflightBody streaming, InflightBody.Reader reader, StringValues xcache, GateDecision decision,
        EdgeSnapshot snapshot, bool isHead, string handling)
    {
        var now = _time.GetUtcNow();
        if (WriteHead(context, item, now, xcache, decision, snapshot))
        {
            LogAccess(context, StatusCodes.Status304NotModified, 0, handling);
            return;
        }

        var response = context.Response;
        if (streaming.ContentLength is { } length)
        {
            response.ContentLength = length;
        }

        long sent = 0;
        if (!isHead)
        {
            try
            {
                while (true)
                {
                    var chunk = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
                    if (chunk.IsEmpty)
                    {
                        break;
                    }

                    await response.Body.WriteAsync(chunk, context.RequestAborted).ConfigureAwait(false);
                    sent += chunk.Length;
                }
            }
            catch (IOException ex) when (!context.RequestAborted.IsCancellationRequested)
            {
                // The origin failed halfway: the client's response must end as failed, not look complete.
                LogStreamFailed(_logger, item.PathAndQuery, ex.InnerException?.Message ?? ex.Message);
                context.Abort();
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away; the fetch goes on for the others and the cache.
            }
        }

        LogAccess(context, item.Status, sent, handling);
    }

    private void LogAccess(HttpContext context, int status, long bytes, string handling)
    {
        if (_accessLog.Enabled)
        {
            _accessLog.Log(context, status, bytes, handling);
        }
    }

    /// <summary>
    /// A successful unsafe request (POST, PUT, DELETE, …) invalidates the stored answers of its URL and of the
    /// <c>Location</c>/<c>Content-Location</c> it names on the same host (RFC 9111 §4.4). Varnish leaves that to VCL.
    /// </summary>
    private void InvalidateAfterUnsafeMethod(HttpContext context)
    {
        var request = context.Request;
        var method = request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method)
            || context.Response.StatusCode is < 200 or >= 400)
        {
            return;
        }

        var host = request.Host.Value ?? string.Empty;
        Invalidate(host, string.Concat(request.Path.Value, request.QueryString.Value));
        var self = new Uri($"{request.Scheme}://{host}{request.Path.Value}");
        foreach (var name in (ReadOnlySpan<string>)["Location", "Content-Location"])
        {
            if (context.Response.Headers[name] is { Count: 1 } value && Uri.TryCreate(self, value.ToString(), out var target)
                && string.Equals(target.Authority, self.Authority, StringComparison.OrdinalIgnoreCase))
            {
                Invalidate(host, target.PathAndQuery);
            }
        }
    }

    private void Invalidate(string host, string pathAndQuery)
    {
        _cache.Purge(CacheKey.Create(true, host, pathAndQuery));
        _cache.Purge(CacheKey.Create(false, host, pathAndQuery));
    }

    private async Task ServeStaleOrProblemAsync(
        HttpContext context, CachedObject? stale, FetchResult? result, InflightBody.Reader? reader, GateDecision decision, EdgeSnapshot snapshot, bool isHead, string detail)
    {
        if (stale is not null)
        {
            _metrics.Stale();
            await Serve(context, stale, _time.GetUtcNow(), HitValue, decision, snapshot, isHead, "hit").ConfigureAwait(false);
            return;
        }

        if (result?.Response is not null)
        {
            await ServeFetchedAsync(context, result, reader, MissValue, decision, snapshot, isHead, "miss").ConfigureAwait(false);
            return;
        }

        var status = result?.Error is OperationCanceledException ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers["X-Cache"] = MissValue;
        await ProblemDetailsWriter.WriteAsync(context, status, "Upstream unavailable", detail).ConfigureAwait(false);
        _accessLog.Log(context, status, 0, "miss");
    }

    /// <summary>One upstream fetch per key at a time: the first caller fetches, the others await its result.</summary>
    private (Task<FetchResult> Result, bool Leader) Coalesce(Uri address, UpstreamRequest upstream, CacheDefaults defaults)
    {
        var mine = new TaskCompletionSource<FetchResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _inflight.GetOrAdd(upstream.Key, mine.Task);
        if (!ReferenceEquals(shared, mine.Task))
        {
            return (shared, false);
        }

        _ = LeadAsync(mine, address, upstream, defaults);
        return (mine.Task, true);
    }

    private async Task LeadAsync(TaskCompletionSource<FetchResult> completion, Uri address, UpstreamRequest upstream, CacheDefaults defaults)
    {
        try
        {
            var result = await FetchAndStoreAsync(address, upstream, defaults).ConfigureAwait(false);
            completion.TrySetResult(result);

            // Requests arriving while the body streams join it; the key leaves the in-flight table once the object is
            // stored (or failed), so a request arriving then finds one or the other.
            if (result.Completion is { } stored)
            {
                await stored.ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            completion.TrySetResult(new FetchResult(null, default, ex));
        }
        finally
        {
            _inflight.TryRemove(new KeyValuePair<string, Task<FetchResult>>(upstream.Key, completion.Task));
        }
    }

    /// <summary>Fetches; an uncacheable answer marks its key at once, a cacheable one is stored when its body is complete.</summary>
    private async Task<FetchResult> FetchAndStoreAsync(Uri address, UpstreamRequest upstream, CacheDefaults defaults)
    {
        _metrics.UpstreamFetch();
        var asOf = _cache.BanSequenceNow;
        var result = await _fetcher.FetchAsync(address, upstream, defaults, _stopping).ConfigureAwait(false);
        if (result.Failed)
        {
            LogFetchFailed(_logger, address, upstream.PathAndQuery, result.Error?.Message ?? $"status {result.Response?.Status}");
            return result;
        }

        var response = result.Response!;
        if (response.HitForMiss)
        {
            _cache.Insert(response.AsMarker(), asOf);
        }
        else if (result.Completion is { } completion)
        {
            return result with { Completion = StoreWhenCompleteAsync(completion, asOf) };
        }
        else
        {
            _cache.Insert(response, asOf);
        }

        return result;
    }

    private async Task<CachedObject?> StoreWhenCompleteAsync(Task<CachedObject?> completion, long asOf)
    {
        if (await completion.ConfigureAwait(false) is { } whole)
        {
            _cache.Insert(whole, asOf);
            return whole;
        }

        return null;
    }

    /// <summary>Grace: the stale object is served now and one background fetch refreshes it.</summary>
    private CachedObject? LookupAnyEncoding(string key, IHeaderDictionary headers)
    {
        if (key.Length > FastKeyChars)
        {
            return _cache.Lookup(key, headers);
        }

        Span<char> buffer = stackalloc char[FastKeyChars];
        key.AsSpan().CopyTo(buffer);
        return _cache.LookupAnyEncoding(buffer[..key.Length], headers);
    }

    /// <summary>A stored object with a validator is revalidated (a conditional fetch) instead of fetched again whole.</summary>
    private static CachedObject? Revalidatable(CachedObject? item) =>
        item is { HitForMiss: false } && (item.ETag is not null || item.LastModified is not null) ? item : null;

    private void StartRefresh(
        HttpContext context, IReverseProxyFeature feature, string key, bool acceptsGzip, EdgeSnapshot snapshot, RoutePolicy policy, CachedObject stale)
    {
        if (_inflight.ContainsKey(key) || PickDestination(feature) is not { } destination)
        {
            return;
        }

        var upstream = UpstreamRequest.From(context.Request, key, acceptsGzip, feature.Route.Config.RouteId, policy, snapshot);
        upstream.Stale = Revalidatable(stale);
        var (refresh, leader) = Coalesce(new Uri(destination.Model.Config.Address), upstream, snapshot.Defaults);
        if (leader)
        {
            _ = ReleaseFirstReaderAsync(refresh);
        }
    }

    /// <summary>A background refresh has no client: its reader is let go, so only the cache waits for the body.</summary>
    private static async Task ReleaseFirstReaderAsync(Task<FetchResult> fetch)
    {
        var result = await fetch.ConfigureAwait(false);
        result.Streaming?.First.Dispose();
    }

    private DestinationState? PickDestination(IReverseProxyFeature feature)
    {
        var destinations = feature.AvailableDestinations;
        var count = destinations.Count;
        var start = (int)(Interlocked.Increment(ref _roundRobin) % (uint)Math.Max(count, 1));
        for (var i = 0; i < count; i++)
        {
            var candidate = destinations[(start + i) % count];
            if (_probes.IsHealthy(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Leaves only healthy destinations for YARP's load balancer; false when none is left.</summary>
    private bool RestrictToHealthy(IReverseProxyFeature feature)
    {
        var destinations = feature.AvailableDestinations;
        var healthy = 0;
        for (var i = 0; i < destinations.Count; i++)
        {
            healthy += _probes.IsHealthy(destinations[i]) ? 1 : 0;
        }

        if (healthy == destinations.Count)
        {
            return healthy > 0;
        }

        var list = new List<DestinationState>(healthy);
        for (var i = 0; i < destinations.Count; i++)
        {
            if (_probes.IsHealthy(destinations[i]))
            {
                list.Add(destinations[i]);
            }
        }

        feature.AvailableDestinations = list;
        return healthy > 0;
    }

    /// <summary>Status and headers of <paramref name="item"/>; true when it answered a client's conditional request with 304.</summary>
    private static bool WriteHead(HttpContext context, CachedObject item, DateTimeOffset now, StringValues xcache, GateDecision decision, EdgeSnapshot snapshot)
    {
        item.LastUsedTicks = now.UtcTicks;
        var response = context.Response;
        response.StatusCode = item.Status;
        var headers = response.Headers;
        foreach (var header in item.Headers)
        {
            headers[header.Key] = header.Value;
        }

        headers.Age = AgeValue(now - item.Created + item.InitialAge);
        headers["X-Cache"] = xcache;
        if (decision != GateDecision.None)
        {
            headers[snapshot.DecisionHeader] = DecisionValues[(int)decision];
        }

        if (item.Status == StatusCodes.Status200OK && IsNotModified(context.Request.Headers, item))
        {
            // Answered from the cache like Varnish does: 304 with the object's headers and no body.
            response.StatusCode = StatusCodes.Status304NotModified;
            headers.ContentType = default;
            headers.ContentEncoding = default;
            return true;
        }

        return false;
    }

    private Task Serve(HttpContext context, CachedObject item, DateTimeOffset now, StringValues xcache, GateDecision decision, EdgeSnapshot snapshot, bool isHead, string handling)
    {
        var response = context.Response;
        if (WriteHead(context, item, now, xcache, decision, snapshot))
        {
            if (_accessLog.Enabled)
            {
                _accessLog.Log(context, StatusCodes.Status304NotModified, 0, handling);
            }

            return Task.CompletedTask;
        }

        var body = item.Body;
        if (item.Status == StatusCodes.Status200OK && context.Request.Headers.Range.Count != 0
            && RangeResponse.TryServe(context, item, isHead) is { } ranged)
        {
            if (_accessLog.Enabled)
            {
                _accessLog.Log(context, response.StatusCode, response.ContentLength ?? 0, handling);
            }

            return ranged;
        }

        response.ContentLength = body.Length;
        if (_accessLog.Enabled)
        {
            _accessLog.Log(context, item.Status, isHead ? 0 : body.Length, handling);
        }

        return isHead || body.Length == 0 ? Task.CompletedTask : response.Body.WriteAsync(body, 0, body.Length, context.RequestAborted);
    }

    /// <summary>If-None-Match (weak comparison, RFC 9110 §13.1.2) takes precedence over If-Modified-Since.</summary>
    internal static bool IsNotModified(IHeaderDictionary request, CachedObject item)
    {
        var ifNoneMatch = request.IfNoneMatch;
        if (ifNoneMatch.Count != 0)
        {
            if (item.ETag is not { } etag)
            {
                return false;
            }

            var stored = WeakTag(etag);
            for (var i = 0; i < ifNoneMatch.Count; i++)
            {
                var list = ifNoneMatch[i].AsSpan();
                while (!list.IsEmpty)
                {
                    var comma = list.IndexOf(',');
                    var tag = (comma < 0 ? list : list[..comma]).Trim();
                    list = comma < 0 ? default : list[(comma + 1)..];
                    if (tag.SequenceEqual("*") || WeakTag(tag).SequenceEqual(stored))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        // Without Last-Modified, the stored Date is the last time it was known valid (RFC 9110 §13.1.3).
        var ifModifiedSince = request.IfModifiedSince;
        return ifModifiedSince.Count == 1 && (item.LastModified ?? CachePolicy.ParseHttpDate(CachePolicy.Get(item.Headers, "Date").ToString())) is { } lastModified
            && CachePolicy.ParseHttpDate(ifModifiedSince[0]) is { } since
            && lastModified <= since;
    }

    private static ReadOnlySpan<char> WeakTag(ReadOnlySpan<char> tag) => tag.StartsWith("W/") ? tag[2..] : tag;

    private static string AgeValue(TimeSpan age)
    {
        var seconds = (long)Math.Max(0, age.TotalSeconds);
        if (seconds >= AgeValues.Length)
        {
            return seconds.ToString(CultureInfo.InvariantCulture);
        }

        return AgeValues[seconds] ??= seconds.ToString(CultureInfo.InvariantCulture);
    }

    private static StringValues[] BuildDecisionValues()
    {
        var values = Enum.GetValues<GateDecision>();
        var result = new StringValues[values.Length];
        foreach (var value in values)
        {
            result[(int)value] = GateDecisions.HeaderValue(value);
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "upstream body of {Path} failed halfway, client response aborted: {Reason}")]
    private static partial void LogStreamFailed(ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "upstream fetch {Address}{Path} failed: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, Uri address, string path, string reason);
}
