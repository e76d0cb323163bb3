using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Opskit.Cluster.Http;

/// <summary>
/// A request body read into a pooled buffer under the size limit and parsed as JSON. Dispose returns the
/// buffer (the document points into it).
/// </summary>
internal sealed class JsonRequest : IDisposable
{
    private byte[]? _buffer;

    private JsonRequest(byte[] buffer, JsonDocument document)
    {
        _buffer = buffer;
        Document = document;
    }

    public JsonDocument Document { get; }

    public JsonElement Root => Document.RootElement;

    public static async Task<(JsonRequest? Request, IResult? Error)> ReadAsync(HttpContext context, long maxBytes)
    {
        var declared = context.Request.ContentLength;
        if (declared > maxBytes)
        {
            return (null, Problems.TooLarge("body", $"the body has {declared} bytes; the limit is {maxBytes}"));
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(declared ?? 16 * 1024, 256), maxBytes + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return (null, Problems.TooLarge("body", $"the body is over the limit of {maxBytes} bytes"));
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (null, Problems.TooLarge("body", $"the body is over the limit of {maxBytes} bytes"));
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, Problems.TooLarge("body", $"the body is over the limit of {maxBytes} bytes"));
        }

        try
        {
            var document = JsonDocument.Parse(buffer.AsMemory(0, length), new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                ArrayPool<byte>.Shared.Return(buffer);
                return (null, Problems.BadField("body", "the body must be a JSON object"));
            }

            return (new JsonRequest(buffer, document), null);
        }
        catch (JsonException ex)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, Problems.BadField("body", $"the body is not valid JSON: {ex.Message}"));
        }
    }

    public void Dispose()
    {
        Document.Dispose();
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
