using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace TileServer.Infrastructure;

/// <summary>
/// Request bodies for the endpoints that read them: a size limit per endpoint, whole bodies read into a pooled buffer,
/// and one mapping of the transport's errors to problems (issue 17, defect 4): a body over the limit is 413 naming the
/// limit's configuration key, one that arrives too slowly 408, a malformed one (a bad chunk size) 400.
/// </summary>
internal static class RequestBody
{
    /// <summary>
    /// Applies <paramref name="maxBytes"/> to this request: a declared length over it is 413 at once (null otherwise),
    /// and Kestrel's own limit is set to it, so that reading past it throws the 413 that <see cref="Unreadable"/> maps.
    /// </summary>
    public static ProblemHttpResult? Limit(HttpContext context, int maxBytes, string limitKey, string advice)
    {
        if (context.Request.ContentLength > maxBytes)
        {
            return TooLarge(context, maxBytes, $"Content-Length is {context.Request.ContentLength} bytes", limitKey, advice);
        }

        // Kestrel's own limit (30 MB by default) must not cut in before this one, nor leave a larger body unbounded.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = maxBytes + 1L;
        }

        return null;
    }

    /// <summary>
    /// The problem for a body the transport could not deliver: over the limit (413, naming it), too slow (408: below
    /// Kestrel's minimum request body data rate), or malformed (400, e.g. an invalid chunk size). The response asks
    /// to close the connection: the rest of such a body is not worth reading.
    /// </summary>
    public static ProblemHttpResult Unreadable(HttpContext context, BadHttpRequestException e, int maxBytes, string limitKey, string advice)
    {
        if (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(context, maxBytes, "The body", limitKey, advice);
        }

        context.Response.Headers.Connection = "close";
        var (title, problem) = e.StatusCode == StatusCodes.Status408RequestTimeout ? ("Body too slow", "bodyTooSlow") : ("Unreadable body", "unreadableBody");
        return TypedResults.Problem(e.Message, statusCode: e.StatusCode, title: title,
            extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["problem"] = problem });
    }

    /// <summary>
    /// Reads the body into a buffer rented from <see cref="ArrayPool{T}.Shared"/>, at most <paramref name="maxBytes"/>
    /// (see <see cref="Limit"/>). The caller returns the buffer to the pool when no problem is returned.
    /// </summary>
    public static async Task<(byte[] Buffer, int Length, ProblemHttpResult? Problem)> ReadAsync(HttpContext context, int maxBytes, string limitKey, string advice)
    {
        if (Limit(context, maxBytes, limitKey, advice) is { } declaredTooLarge)
        {
            return ([], 0, declaredTooLarge);
        }

        var request = context.Request;
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
                    return ([], 0, TooLarge(context, maxBytes, "The body", limitKey, advice));
                }
            }
        }
        catch (BadHttpRequestException e)
        {
            pool.Return(buffer);
            return ([], 0, Unreadable(context, e, maxBytes, limitKey, advice));
        }
    }

    /// <summary>413 naming the limit; the connection is closed after it rather than drained of the rest of the body.</summary>
    private static ProblemHttpResult TooLarge(HttpContext context, int maxBytes, string what, string limitKey, string advice)
    {
        context.Response.Headers.Connection = "close";
        return TypedResults.Problem($"{what} exceeds the limit of {maxBytes} bytes ({limitKey}); {advice}.",
            statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large",
            extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["problem"] = "bodyTooLarge", ["limit"] = limitKey });
    }
}
