using Microsoft.AspNetCore.Http;

namespace Opskit.Cluster.Http;

/// <summary>RFC 7807 problem documents; every client error names the request field it is about.</summary>
internal static class Problems
{
    public static IResult BadField(string field, string detail) =>
        Create(StatusCodes.Status400BadRequest, "Invalid request field", detail, field);

    public static IResult TooLarge(string field, string detail) =>
        Create(StatusCodes.Status413PayloadTooLarge, "Request too large", detail, field);

    public static IResult Create(int status, string title, string detail, string? field = null)
    {
        var extensions = field is null ? null : new Dictionary<string, object?> { ["field"] = field };
        return TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
    }

    /// <summary>An error that carries a <c>Retry-After</c> header (429 queue full, 503 not ready).</summary>
    public static IResult RetryLater(HttpContext context, int status, string title, string detail, int seconds)
    {
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Create(status, title, detail);
    }
}
