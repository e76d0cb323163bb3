using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Opskit.Edge.Caching;
using Opskit.Edge.Proxy;

namespace Opskit.Edge.Http;

/// <summary>
/// <c>PURGE &lt;url&gt;</c> removes that exact object (every Accept-Encoding and Vary variant) of the request's host
/// and answers <c>{"removed":n}</c>; <c>BAN &lt;url&gt;</c> invalidates every object of the host stored before it whose
/// path and query starts with the URL, or, with an <c>X-Ban-Regex</c> header, matches that regular expression
/// (non-backtracking, so a hostile pattern cannot stall the proxy). A ban is lazy (Varnish's ban list): it answers at
/// once with <c>{"ban":n,"bans":m}</c> (its number, the list's length) and objects go at lookup or in the background.
/// Both are accepted only from addresses in <c>Edge:PurgeAcl</c> (default loopback).
/// </summary>
internal sealed partial class PurgeHandler(HttpCache cache, EdgeRuntime runtime, ILogger<PurgeHandler> logger)
{
    public const string RegexHeader = "X-Ban-Regex";

    public Task? TryHandle(HttpContext context)
    {
        var method = context.Request.Method;
        var isPurge = string.Equals(method, "PURGE", StringComparison.OrdinalIgnoreCase);
        if (!isPurge && !string.Equals(method, "BAN", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return HandleAsync(context, isPurge);
    }

    private async Task HandleAsync(HttpContext context, bool isPurge)
    {
        var request = context.Request;
        var remote = context.Connection.RemoteIpAddress;
        if (!runtime.Current.MayPurge(remote))
        {
            LogRefused(logger, request.Method, remote?.ToString() ?? "unknown");
            await ProblemDetailsWriter.WriteAsync(context, StatusCodes.Status403Forbidden, "Not allowed",
                $"{request.Method} is accepted only from Edge:PurgeAcl").ConfigureAwait(false);
            return;
        }

        var host = request.Host.Value ?? string.Empty;
        var pathAndQuery = string.Concat(request.Path.Value, request.QueryString.Value);
        if (isPurge)
        {
            var removed = cache.Purge(CacheKey.Create(true, host, pathAndQuery)) + cache.Purge(CacheKey.Create(false, host, pathAndQuery));
            LogRemoved(logger, request.Method, host, pathAndQuery, removed);
            await WriteJsonAsync(context, $"{{\"removed\":{removed}}}").ConfigureAwait(false);
            return;
        }

        long ban;
        if (request.Headers[RegexHeader] is { Count: > 0 } pattern)
        {
            Regex regex;
            try
            {
                regex = new Regex(pattern.ToString(), RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException ex)
            {
                await ProblemDetailsWriter.WriteAsync(context, StatusCodes.Status400BadRequest, "Invalid ban expression", ex.Message).ConfigureAwait(false);
                return;
            }

            ban = cache.Ban(host, null, regex);
        }
        else
        {
            ban = cache.Ban(host, pathAndQuery, null);
        }

        LogBanned(logger, host, pathAndQuery, ban);
        await WriteJsonAsync(context, $"{{\"ban\":{ban},\"bans\":{cache.BanCount}}}").ConfigureAwait(false);
    }

    private static Task WriteJsonAsync(HttpContext context, string json)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json, context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} refused from {Remote}: not in Edge:PurgeAcl")]
    private static partial void LogRefused(ILogger logger, string method, string remote);

    [LoggerMessage(Level = LogLevel.Information, Message = "BAN {Host}{Url}: ban {Ban} added")]
    private static partial void LogBanned(ILogger logger, string host, string url, long ban);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Host}{Url}: {Removed} objects removed")]
    private static partial void LogRemoved(ILogger logger, string method, string host, string url, int removed);
}
