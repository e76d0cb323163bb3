using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Opskit.Edge.Http;

/// <summary>
/// <c>OPTIONS *</c> (RFC 9110 §9.3.7) asks about the server, not a resource. Varnish passes it on verbatim; .NET's
/// HTTP client cannot send the asterisk form and would turn it into <c>OPTIONS /</c>, a question about a different
/// resource, so the edge answers it itself (issue #21): 200, the methods it handles, no body, nothing forwarded.
/// </summary>
internal static class ServerWideOptions
{
    private const string Allow = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

    public static Task? TryHandle(HttpContext context)
    {
        if (!HttpMethods.IsOptions(context.Request.Method) || context.Features.Get<IHttpRequestFeature>()?.RawTarget != "*")
        {
            return null;
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.Headers.Allow = Allow;
        response.ContentLength = 0;
        return Task.CompletedTask;
    }
}
