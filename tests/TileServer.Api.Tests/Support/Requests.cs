namespace TileServer.Api.Tests.Support;

/// <summary>Requests with the conditional, encoding and CORS headers the caching tests send.</summary>
public static class Requests
{
    public static HttpRequestMessage Get(string path, string? acceptEncoding = null, string? ifNoneMatch = null, string? origin = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        return request;
    }
}
