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

    public required string Key { get; init; }

    public required string Host { get; init; }

    public required string PathAndQuery { get; init; }

    public required bool AcceptsGzip { get; init; }

    public required string RouteId { get; init; }

    public required KeyValuePair<string, string[]>[] Headers { get; init; }

    public required string? ClientAddress { get; init; }

    public static UpstreamRequest From(HttpRequest request, string key, bool acceptsGzip, string routeId)
    {
        var headers = new List<KeyValuePair<string, string[]>>(request.Headers.Count);
        foreach (var (name, values) in request.Headers)
        {
            if (!NotForwarded.Contains(name))
            {
                headers.Add(new(name, values.ToArray()!));
            }
        }

        return new UpstreamRequest
        {
            Key = key,
            Host = request.Host.Value ?? string.Empty,
            PathAndQuery = string.Concat(request.Path.Value, request.QueryString.Value),
            AcceptsGzip = acceptsGzip,
            RouteId = routeId,
            Headers = [.. headers],
            ClientAddress = request.HttpContext.Connection.RemoteIpAddress?.ToString(),
        };
    }

    /// <summary>The value of a request header as sent upstream (for Vary).</summary>
    public string HeaderValue(string name)
    {
        foreach (var (header, values) in Headers)
        {
            if (string.Equals(header, name, StringComparison.OrdinalIgnoreCase))
            {
                return string.Join(", ", values);
            }
        }

        return string.Empty;
    }
}

/// <summary>Outcome of one upstream fetch.</summary>
internal sealed record FetchResult(CachedObject? Response, CacheLifetime Lifetime, Exception? Error, bool TooLarge)
{
    public bool Failed => Error is not null || (Response is not null && Response.Status >= 500);
}

/// <summary>
/// Fetches cacheable answers from an upstream destination (misses and grace refreshes): a GET with the client's
/// end-to-end headers minus credentials, connect and first-byte timeouts, the body buffered up to the object limit.
/// Uncacheable answers still come back (marked), so the requester gets them; only their key is then hit-for-miss.
/// </summary>
internal sealed class UpstreamFetcher : IDisposable
{
    private static readonly HashSet<string> NotStored = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length", "Age",
    };

    private readonly HttpMessageInvoker _client;
    private readonly TimeSpan _firstByteTimeout;
    private readonly int _maxObjectBytes;
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
        _firstByteTimeout = firstByteTimeout;
        _maxObjectBytes = maxObjectBytes;
        _time = time;
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

        if (request.ClientAddress is not null)
        {
            message.Headers.TryAddWithoutValidation("X-Forwarded-For", request.ClientAddress);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_firstByteTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new FetchResult(null, default, ex, false);
        }

        using (response)
        {
            var now = _time.GetUtcNow();
            var contentLength = response.Content.Headers.ContentLength;
            if (contentLength > _maxObjectBytes)
            {
                return new FetchResult(null, default, null, true);
            }

            byte[] body;
            try
            {
                body = await ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                return new FetchResult(null, default, ex, false);
            }
            catch (InvalidDataException)
            {
                return new FetchResult(null, default, null, true);
            }

            var lifetime = CachePolicy.Decide(response, defaults, now);
            var vary = new List<KeyValuePair<string, string>>();
            foreach (var name in response.Headers.Vary)
            {
                if (!string.Equals(name, "Accept-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    vary.Add(new(name, string.Equals(name, "Cookie", StringComparison.OrdinalIgnoreCase) ? string.Empty : request.HeaderValue(name)));
                }
            }

            var headers = new List<KeyValuePair<string, StringValues>>();
            foreach (var (name, values) in response.Headers)
            {
                if (!NotStored.Contains(name))
                {
                    headers.Add(new(name, new StringValues(values.ToArray())));
                }
            }

            foreach (var (name, values) in response.Content.Headers)
            {
                if (!NotStored.Contains(name))
                {
                    headers.Add(new(name, new StringValues(values.ToArray())));
                }
            }

            var ttl = lifetime.Cacheable ? lifetime.Ttl : defaults.HitForMissTtl;
            var item = new CachedObject
            {
                Key = request.Key,
                Host = request.Host,
                PathAndQuery = request.PathAndQuery,
                RouteId = request.RouteId,
                Status = (int)response.StatusCode,
                Headers = [.. headers],
                Body = body,
                Vary = [.. vary],
                HitForMiss = !lifetime.Cacheable,
                Created = now,
                InitialAge = response.Headers.Age ?? TimeSpan.Zero,
                ETag = response.Headers.ETag?.ToString(),
                LastModified = response.Content.Headers.LastModified,
                FreshUntil = now + ttl,
                GraceUntil = now + ttl + lifetime.Grace,
                KeepUntil = now + ttl + lifetime.Grace + lifetime.Keep,
                LastUsedTicks = now.UtcTicks,
            };
            return new FetchResult(item, lifetime, null, false);
        }
    }

    private async Task<byte[]> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                var length = 0;
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        if (buffer.Length >= _maxObjectBytes)
                        {
                            throw new InvalidDataException("object larger than the limit");
                        }

                        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _maxObjectBytes + 1));
                        buffer.AsSpan(0, length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    length += read;
                    if (length > _maxObjectBytes)
                    {
                        throw new InvalidDataException("object larger than the limit");
                    }
                }

                return buffer.AsSpan(0, length).ToArray();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public void Dispose() => _client.Dispose();
}
