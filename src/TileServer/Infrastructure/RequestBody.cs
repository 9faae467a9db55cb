using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace TileServer.Infrastructure;

/// <summary>Reads a request body whole into a pooled buffer, with a size limit, for the endpoints that parse JSON bodies.</summary>
internal static class RequestBody
{
    /// <summary>
    /// Reads the body into a buffer rented from <see cref="ArrayPool{T}.Shared"/>, at most <paramref name="maxBytes"/>:
    /// a declared or actual length over it is 413 (naming <paramref name="limitKey"/>, the configuration key, and what
    /// to do instead) without reading further. The caller returns the buffer to the pool when no problem is returned.
    /// </summary>
    public static async Task<(byte[] Buffer, int Length, ProblemHttpResult? Problem)> ReadAsync(HttpContext context, int maxBytes, string limitKey, string advice)
    {
        var request = context.Request;
        if (request.ContentLength > maxBytes)
        {
            return ([], 0, TooLarge(maxBytes, $"Content-Length is {request.ContentLength} bytes", limitKey, advice));
        }

        // Kestrel's own limit (30 MB by default) must not cut in before this one.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = maxBytes + 1L;
        }

        var pool = ArrayPool<byte>.Shared;
        var buffer = pool.Rent((int)Math.Min(request.ContentLength ?? 16 * 1024, maxBytes + 1L));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = pool.Rent((int)Math.Min(Math.Max(buffer.Length * 2L, 16 * 1024), maxBytes + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    pool.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, maxBytes + 1) - length), context.RequestAborted);
                if (read == 0)
                {
                    return (buffer, length, null);
                }

                length += read;
                if (length > maxBytes)
                {
                    pool.Return(buffer);
                    return ([], 0, TooLarge(maxBytes, "The body", limitKey, advice));
                }
            }
        }
        catch (BadHttpRequestException e)
        {
            pool.Return(buffer);
            return ([], 0, TypedResults.Problem(e.Message, statusCode: e.StatusCode, title: "Unreadable body"));
        }
    }

    private static ProblemHttpResult TooLarge(int maxBytes, string what, string limitKey, string advice) =>
        TypedResults.Problem($"{what} exceeds the limit of {maxBytes} bytes ({limitKey}); {advice}.",
            statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large",
            extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["problem"] = "bodyTooLarge" });
}
