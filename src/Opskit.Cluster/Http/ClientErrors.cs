using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Opskit.Cluster.Http;

/// <summary>
/// What clients cause (a bad body, an upload slower than Kestrel's minimum data rate, a client that goes away
/// mid-request) is the client's business: one line at debug per request, no stack trace. Without this an
/// exception such as Kestrel's 408 or the cancellation of a request whose client left escaped to Kestrel, which
/// logs it at error with the whole stack trace, so any client could flood the logs (issue #21).
/// </summary>
internal static partial class ClientErrors
{
    /// <summary>The outermost middleware: catches client-caused exceptions and logs each client error once.</summary>
    public static async Task Handle(HttpContext context, RequestDelegate next, ILogger logger)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsClientGone(context, ex))
        {
            LogClientGone(logger, context.Request.Method, context.Request.Path, ex.GetType().Name);
            return;
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own refusals surfacing outside JsonRequest (which answers them itself).
            LogClientError(logger, context.Request.Method, context.Request.Path, ex.StatusCode, ex.Message);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await Problems.Create(ex.StatusCode, "Bad request", ex.Message).ExecuteAsync(context).ConfigureAwait(false);
            }

            return;
        }

        var status = context.Response.StatusCode;
        if (status is >= 400 and < 500 and not StatusCodes.Status404NotFound and not StatusCodes.Status429TooManyRequests)
        {
            LogClientError(logger, context.Request.Method, context.Request.Path, status, null);
        }
    }

    /// <summary>True when the client closed the connection or aborted: cancellation or a reset while the request was aborted.</summary>
    private static bool IsClientGone(HttpContext context, Exception ex) =>
        ex is ConnectionResetException
        || (context.RequestAborted.IsCancellationRequested && ex is OperationCanceledException or IOException);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path}: the client went away before the answer ({Reason})")]
    private static partial void LogClientGone(ILogger logger, string method, PathString path, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path}: client error {Status} {Detail}")]
    private static partial void LogClientError(ILogger logger, string method, PathString path, int status, string? detail);
}
