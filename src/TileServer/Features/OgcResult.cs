using System.IO.Compression;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;
using TileServer.Infrastructure;
using TileServer.Metrics;
using TileServer.Tiles;

namespace TileServer.Features;

/// <summary>
/// An answer of the OGC API door, written as it is produced: a strong ETag (a hash of the dataset version, the
/// features options, the request's scheme, host, path and query, the media type and the content coding), 304 on a
/// matching <c>If-None-Match</c>, brotli or gzip when the client accepts them (the body is compressed as it streams),
/// <c>Vary: Accept, Accept-Encoding</c> (and <c>Host</c> when links come from the request: <see cref="PublicUrls"/>), and HEAD answered with the headers alone.
/// </summary>
/// <remarks>
/// The ETag is computed before the body is produced, so a 304 costs no serialization. It is strong: one ETag per
/// representation, the content coding included (RFC 9110, 8.8.3).
/// </remarks>
public sealed class OgcResult(string version, string contentType, Func<PipeWriter, CancellationToken, Task> body) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    /// <summary>The <c>Content-Crs</c> header value (OGC API - Features Part 2), or null.</summary>
    public string? ContentCrs { get; init; }

    /// <summary>The file name of a download (<c>Content-Disposition: attachment</c>), or null.</summary>
    public string? FileName { get; init; }

    /// <summary>The features an items answer writes, counted (<see cref="ServerMetrics.ItemsWritten"/>) when its body is sent; null for other answers.</summary>
    public ItemsWritten? Items { get; init; }

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => contentType;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var request = httpContext.Request;
        var response = httpContext.Response;
        var coding = Negotiate(request.Headers.AcceptEncoding);
        var etag = ETag(httpContext, coding);
        response.Headers.ETag = etag;
        response.Headers.Vary = httpContext.RequestServices.GetRequiredService<PublicUrls>().Vary("Accept, Accept-Encoding");
        response.Headers.CacheControl = "public, max-age=60";
        if (ContentCrs is not null)
        {
            response.Headers["Content-Crs"] = $"<{ContentCrs}>";
        }

        if (TileEndpoints.Matches(request.Headers.IfNoneMatch, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        if (FileName is not null)
        {
            response.Headers.ContentDisposition = $"attachment; filename=\"{FileName}\"";
        }

        if (coding is not null)
        {
            response.Headers.ContentEncoding = coding;
        }

        if (HttpMethods.IsHead(request.Method))
        {
            return;
        }

        if (Items is { } items)
        {
            httpContext.RequestServices.GetRequiredService<ServerMetrics>().ItemsWritten(items.Collection, items.Format, items.Count);
        }

        var aborted = httpContext.RequestAborted;
        if (coding is null)
        {
            await body(response.BodyWriter, aborted);
            return;
        }

        await using var compressed = coding == "br"
            ? (Stream)new BrotliStream(response.Body, CompressionLevel.Fastest, leaveOpen: true)
            : new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true);
        var pipe = PipeWriter.Create(compressed, new StreamPipeWriterOptions(leaveOpen: true));
        await body(pipe, aborted);
        await pipe.CompleteAsync();
    }

    private string ETag(HttpContext context, string? coding)
    {
        var request = context.Request;
        var key = string.Join('\n', version, request.Scheme, request.Host.Value, request.PathBase.Value, request.Path.Value, request.QueryString.Value, contentType, coding);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return "\"" + Convert.ToHexStringLower(hash.AsSpan(0, 10)) + (coding is null ? "" : "-" + coding) + "\"";
    }

    /// <summary>br, then gzip, when <c>Accept-Encoding</c> lists them (or <c>*</c>) with a non-zero quality; null: identity.</summary>
    internal static string? Negotiate(Microsoft.Extensions.Primitives.StringValues acceptEncoding)
    {
        if (acceptEncoding.Count == 0)
        {
            return null;
        }

        if (!StringWithQualityHeaderValue.TryParseList(acceptEncoding, out var codings))
        {
            return null;
        }

        double Quality(string name) => codings.Where(c => c.Value.Equals(name, StringComparison.OrdinalIgnoreCase) || c.Value == "*")
            .Select(c => c.Quality ?? 1).DefaultIfEmpty(0).Max();
        var br = Quality("br");
        var gzip = Quality("gzip");
        if (br <= 0 && gzip <= 0)
        {
            return null;
        }

        return br >= gzip ? "br" : "gzip";
    }
}

/// <summary>The features of one items answer: its collection, format (<c>json</c>, <c>html</c>, <c>csv</c>, <c>gpkg</c>, <c>shp</c>) and count.</summary>
public sealed record ItemsWritten(string Collection, string Format, int Count);
