using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Opskit.Edge.Caching;

namespace Opskit.Edge.Proxy;

/// <summary>What a cacheable fetch needs from the client request, copied out so it can outlive the request (grace refresh).</summary>
internal sealed class UpstreamRequest
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        // Hop-by-hop (RFC 9110 §7.6.1) and what the proxy sets itself.
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Content-Length",
        // A generic answer is for everyone: never fetched with a user's credentials.
        "Cookie", "Authorization",
        // Normalized into the cache key.
        "Accept-Encoding",
        // Conditional requests are answered by the cache, not forwarded on a miss (as Varnish does).
        "If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Range",
    };

    /// <summary>
    /// Headers by which a client can make the origin build a different answer (host and scheme for absolute links,
    /// a rewritten URL, a method override, the client address) without the cache key knowing: sent on a cacheable
    /// fetch, one client's answer would be served to everyone (issue #21). Removed unless the route keys on them.
    /// </summary>
    internal static readonly HashSet<string> ClientInfluence = new(StringComparer.OrdinalIgnoreCase)
    {
        "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port", "X-Forwarded-Prefix",
        "X-Forwarded-Server", "X-Forwarded-Scheme", "X-Forwarded-Ssl", "Front-End-Https", "X-Real-IP",
        "X-Original-URL", "X-Rewrite-URL", "X-Original-Host", "X-Host",
        "X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override",
    };

    public required string Key { get; init; }

    public required string Host { get; init; }

    public required string Scheme { get; init; }

    public required string PathAndQuery { get; init; }

    public required bool AcceptsGzip { get; init; }

    public required string RouteId { get; init; }

    public required KeyValuePair<string, string[]>[] Headers { get; init; }

    /// <summary>The route's cache-key headers with this request's values (stored with the object like Vary).</summary>
    public KeyValuePair<string, string>[] KeyedHeaders { get; init; } = [];

    public required string? ClientAddress { get; init; }

    /// <summary>A stored object to revalidate: its validators are sent, and a 304 refreshes it (RFC 9111 §4.3).</summary>
    public CachedObject? Stale { get; set; }

    public static UpstreamRequest From(HttpRequest request, string key, bool acceptsGzip, string routeId, RoutePolicy policy, EdgeSnapshot snapshot)
    {
        var headers = new List<KeyValuePair<string, string[]>>(request.Headers.Count);
        foreach (var (name, values) in request.Headers)
        {
            if (!NotForwarded.Contains(name)
                && ((!ClientInfluence.Contains(name) && !IsUserHeader(snapshot, name)) || policy.KeysOn(name)))
            {
                headers.Add(new(name, values.ToArray()!));
            }
        }

        var keyed = new KeyValuePair<string, string>[policy.CacheKeyHeaders.Length];
        for (var i = 0; i < keyed.Length; i++)
        {
            var name = policy.CacheKeyHeaders[i];
            keyed[i] = new(name, HttpCache.UpstreamRequestValue(request.Headers, name));
        }

        return new UpstreamRequest
        {
            Key = key,
            Host = request.Host.Value ?? string.Empty,
            Scheme = request.Scheme,
            PathAndQuery = string.Concat(request.Path.Value, request.QueryString.Value),
            AcceptsGzip = acceptsGzip,
            RouteId = routeId,
            Headers = [.. headers],
            KeyedHeaders = keyed,
            ClientAddress = request.HttpContext.Connection.RemoteIpAddress?.ToString(),
        };
    }

    /// <summary>True when the route keys on <paramref name="name"/>, so the client's value is forwarded as it came.</summary>
    public bool Keys(string name)
    {
        foreach (var (header, _) in KeyedHeaders)
        {
            if (string.Equals(header, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUserHeader(EdgeSnapshot snapshot, string name)
    {
        foreach (var header in snapshot.UserHeaders)
        {
            if (string.Equals(header, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The value of a request header as sent upstream, normalized as a Vary key (<see cref="VaryValue"/>).</summary>
    public string HeaderValue(string name)
    {
        foreach (var (header, values) in Headers)
        {
            if (string.Equals(header, name, StringComparison.OrdinalIgnoreCase))
            {
                return VaryValue.Normalize(values);
            }
        }

        return string.Empty;
    }
}

/// <summary>
/// Outcome of one upstream fetch, known when the response headers arrive. <see cref="Response"/> has the headers and
/// lifetime; its body is still arriving in <see cref="Streaming"/> (null when the answer is already whole, a
/// revalidated object). <see cref="Completion"/> gives the object with its whole body when the origin finished and it
/// fits the object limit, or null (failed halfway, over the limit).
/// </summary>
internal sealed record FetchResult(CachedObject? Response, CacheLifetime Lifetime, Exception? Error)
{
    public InflightBody? Streaming { get; init; }

    public Task<CachedObject?>? Completion { get; init; }

    /// <summary>A connection error, a timeout or a 5xx (not 501, which is an answer, not a failure).</summary>
    public bool Failed => Error is not null || (Response is not null && Response.Status >= 500 && Response.Status != 501);
}

/// <summary>
/// Fetches cacheable answers from an upstream destination (misses and grace refreshes): a GET with the client's
/// end-to-end headers minus credentials, connect and first-byte timeouts. The result comes back with the headers; the
/// body is read in the background into an <see cref="InflightBody"/> that clients read while it arrives (issue #18).
/// Uncacheable answers still come back (marked), so the requester gets them; only their key is then hit-for-miss.
/// </summary>
internal sealed class UpstreamFetcher : IDisposable
{
    private static readonly HashSet<string> NotStored = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length", "Age",
    };

    private readonly HttpMessageInvoker _client;
    private long _firstByteTimeoutTicks;
    private int _maxObjectBytes;
    private readonly TimeProvider _time;

    public UpstreamFetcher(TimeSpan connectTimeout, TimeSpan firstByteTimeout, int maxObjectBytes, TimeProvider time)
    {
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            ActivityHeadersPropagator = null,
        });
        FirstByteTimeout = firstByteTimeout;
        MaxObjectBytes = maxObjectBytes;
        _time = time;
    }

    /// <summary>Time until the response headers arrive (reloadable: read per fetch).</summary>
    public TimeSpan FirstByteTimeout
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _firstByteTimeoutTicks));
        set => Volatile.Write(ref _firstByteTimeoutTicks, value.Ticks);
    }

    /// <summary>Largest object stored (reloadable: read per fetch).</summary>
    public int MaxObjectBytes
    {
        get => Volatile.Read(ref _maxObjectBytes);
        set => Volatile.Write(ref _maxObjectBytes, value);
    }

    public async Task<FetchResult> FetchAsync(Uri destination, UpstreamRequest request, CacheDefaults defaults, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, new Uri(destination, request.PathAndQuery));
        foreach (var (name, values) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, values);
        }

        if (request.AcceptsGzip)
        {
            message.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        }

        if (request.Stale is { } stale)
        {
            if (stale.ETag is not null)
            {
                message.Headers.TryAddWithoutValidation("If-None-Match", stale.ETag);
            }

            if (CachePolicy.Get(stale.Headers, "Last-Modified") is { Count: > 0 } lastModified)
            {
                message.Headers.TryAddWithoutValidation("If-Modified-Since", lastModified[0]);
            }
        }

        // The edge says who asked and how, itself (set, not appended: the client's values are not forwarded).
        if (request.ClientAddress is not null && !request.Keys("X-Forwarded-For"))
        {
            message.Headers.TryAddWithoutValidation("X-Forwarded-For", request.ClientAddress);
        }

        if (request.Host.Length > 0 && !request.Keys("X-Forwarded-Host"))
        {
            message.Headers.TryAddWithoutValidation("X-Forwarded-Host", request.Host);
        }

        if (!request.Keys("X-Forwarded-Proto"))
        {
            message.Headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(FirstByteTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new FetchResult(null, default, ex);
        }

        var handedOver = false;
        try
        {
            var now = _time.GetUtcNow();

            // The origin's fields as received, before any typed access parses (and would re-serialize) them: a proxy
            // forwards and stores header values byte for byte (issue #18).
            var raw = RawHeaders(response);
            var status = (int)response.StatusCode;
            byte[] body = [];
            var revalidatedOk = false;
            if (status == 304 && request.Stale is { } revalidated)
            {
                // The stored object is still good: its headers updated with the 304's (RFC 9111 §3.2, §4.3.4).
                raw = Updated(revalidated.Headers, raw);
                status = revalidated.Status;
                body = revalidated.Body;
                revalidatedOk = true;
            }

            var lifetime = CachePolicy.Decide(status, raw, defaults, now);
            var vary = new List<KeyValuePair<string, string>>();
            var varyField = CachePolicy.Get(raw, "Vary");
            for (var i = 0; i < varyField.Count; i++)
            {
                var list = varyField[i]!;
                foreach (var range in list.AsSpan().Split(','))
                {
                    var name = list[range].Trim(' ', '\t');
                    if (name.Length > 0 && name != "*" && !string.Equals(name, "Accept-Encoding", StringComparison.OrdinalIgnoreCase))
                    {
                        vary.Add(new(name, string.Equals(name, "Cookie", StringComparison.OrdinalIgnoreCase) ? string.Empty : request.HeaderValue(name)));
                    }
                }
            }

            vary.AddRange(request.KeyedHeaders);

            // Not stored: hop-by-hop fields, the ones Connection names (RFC 9111 §3.1), and those of no-cache="…"
            // and private="…" (§5.2.2.4, §5.2.2.7), which a shared cache may only send after revalidation.
            var connection = CachePolicy.Get(raw, "Connection");
            var omitted = CacheDirectives.Parse(CachePolicy.Get(raw, "Cache-Control")).OmittedFields;
            var headers = new List<KeyValuePair<string, StringValues>>(raw.Count);
            foreach (var header in raw)
            {
                if (!NotStored.Contains(header.Key) && !CachePolicy.HasToken(connection, header.Key)
                    && (omitted is null || !omitted.Contains(header.Key, StringComparer.OrdinalIgnoreCase)))
                {
                    headers.Add(header);
                }
            }

            var ttl = lifetime.Cacheable ? lifetime.Ttl : defaults.HitForMissTtl;
            var item = new CachedObject
            {
                Key = request.Key,
                Host = request.Host,
                PathAndQuery = request.PathAndQuery,
                RouteId = request.RouteId,
                Status = status,
                Headers = [.. headers],
                Body = body,
                Vary = [.. vary],
                HitForMiss = !lifetime.Cacheable,
                Encoded = CachePolicy.Get(headers, "Content-Encoding") is { Count: > 0 } coding && !string.Equals(coding.ToString().Trim(), "identity", StringComparison.OrdinalIgnoreCase),
                Created = now,
                InitialAge = TimeSpan.FromSeconds(CachePolicy.ParseAge(CachePolicy.Get(raw, "Age"))),
                ETag = CachePolicy.Get(raw, "ETag") is { Count: > 0 } etag ? etag[0]!.Trim() : null,
                LastModified = CachePolicy.ParseHttpDate(CachePolicy.Get(raw, "Last-Modified").ToString()),
                FreshUntil = now + ttl,
                GraceUntil = now + ttl + lifetime.Grace,
                KeepUntil = now + ttl + lifetime.Grace + lifetime.Keep,
                LastUsedTicks = now.UtcTicks,
            };
            if (revalidatedOk)
            {
                return new FetchResult(item, lifetime, null);
            }

            var streaming = new InflightBody(MaxObjectBytes, response.Content.Headers.ContentLength);
            var completion = PumpAsync(response, streaming, item, cancellationToken);
            handedOver = true;
            return new FetchResult(item, lifetime, null) { Streaming = streaming, Completion = completion };
        }
        finally
        {
            if (!handedOver)
            {
                response.Dispose();
            }
        }
    }

    /// <summary>The stored fields, each one the 304 carries replaced by its value there (Content-Length excepted).</summary>
    private static List<KeyValuePair<string, StringValues>> Updated(KeyValuePair<string, StringValues>[] stored, List<KeyValuePair<string, StringValues>> fresh)
    {
        var merged = new List<KeyValuePair<string, StringValues>>(stored.Length + fresh.Count);
        foreach (var header in stored)
        {
            if (CachePolicy.Get(fresh, header.Key).Count == 0 || string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                merged.Add(header);
            }
        }

        foreach (var header in fresh)
        {
            if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                merged.Add(header);
            }
        }

        return merged;
    }

    private static List<KeyValuePair<string, StringValues>> RawHeaders(HttpResponseMessage response)
    {
        var raw = new List<KeyValuePair<string, StringValues>>();
        foreach (var (name, values) in response.Headers.NonValidated)
        {
            raw.Add(new(name, Values(values)));
        }

        foreach (var (name, values) in response.Content.Headers.NonValidated)
        {
            raw.Add(new(name, Values(values)));
        }

        return raw;
    }

    private static StringValues Values(System.Net.Http.Headers.HeaderStringValues values)
    {
        if (values.Count == 1)
        {
            return values.ToString();
        }

        var array = new string[values.Count];
        var i = 0;
        foreach (var value in values)
        {
            array[i++] = value;
        }

        return array;
    }

    /// <summary>
    /// Reads the origin's body into <paramref name="body"/> as it arrives; the object with its whole body when it
    /// completed within the limit. Stops when the body is over the limit and nobody reads it any more.
    /// </summary>
    private static async Task<CachedObject?> PumpAsync(HttpResponseMessage response, InflightBody body, CachedObject head, CancellationToken cancellationToken)
    {
        await Task.Yield(); // The caller gets the headers now; the body follows in the background.
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                while (true)
                {
                    var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    await body.AppendAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    if (body.OverLimit && body.ReaderCount == 0)
                    {
                        body.Fail(new OperationCanceledException("nobody reads the rest of an object over the limit"));
                        return null;
                    }
                }
            }

            if (body.ContentLength is { } expected && body.Length != expected)
            {
                throw new IOException($"the origin sent {body.Length} of {expected} bytes");
            }

            body.Complete();
            return body.ToArray() is { } whole ? head.WithBody(whole) : null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            body.Fail(ex);
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            response.Dispose();
        }
    }

    public void Dispose() => _client.Dispose();
}
