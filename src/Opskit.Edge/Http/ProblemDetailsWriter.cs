using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Opskit.Edge.Http;

/// <summary>Writes RFC 7807 problem details (<c>application/problem+json</c>) for the proxy's own errors.</summary>
internal static class ProblemDetailsWriter
{
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return;
        }

        response.StatusCode = status;
        response.ContentType = "application/problem+json";
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["type"] = "about:blank",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
            ["instance"] = context.Request.Path.Value ?? "/",
        });
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
