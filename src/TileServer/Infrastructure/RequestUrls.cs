namespace TileServer.Infrastructure;

/// <summary>Absolute URLs as the client reached the server (behind a proxy: its scheme, host and prefix, see <see cref="ProxyOptions"/>).</summary>
internal static class RequestUrls
{
    /// <summary><c>scheme://host/prefix</c>, without a trailing slash.</summary>
    public static string Base(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";
}
