using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace TileServer.Core.Storage;

/// <summary>
/// Byte ranges of an archive behind HTTP(S) (a static file server, a CDN, a public or presigned object-store URL) by
/// RFC 9110 range requests. The archive is pinned by its validator at open: the strong <c>ETag</c> of the first
/// answer is sent as <c>If-Match</c> with every later range (a 412 means the archive changed) and compared with each
/// answer's own, for servers that ignore <c>If-Match</c>; a server without an <c>ETag</c> is refused, since a change
/// of its archive could not be told from a consistent read.
/// </summary>
/// <remarks>
/// Every read is bounded by the reader's timeout; network errors, timeouts, status codes other than 206 and answers
/// that are not the range asked for are <see cref="TileStorageException"/>s naming the URL. Requests ask for no
/// content coding (the ranges are of the stored bytes). Thread safety: one <see cref="HttpClient"/> shared by every
/// reader (pooled connections renewed every two minutes, so DNS changes are followed); any number of concurrent reads.
/// </remarks>
public sealed class HttpRangeReader : IRangeReader
{
    private static readonly HttpClient SharedClient = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    private readonly Uri _uri;
    private readonly EntityTagHeaderValue _etag;
    private readonly TimeSpan _timeout;

    private HttpRangeReader(Uri uri, EntityTagHeaderValue etag, long length, TimeSpan timeout)
    {
        _uri = uri;
        _etag = etag;
        Length = length;
        _timeout = timeout;
        Name = uri.GetLeftPart(UriPartial.Path);
        ContentIdentity = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"etag {etag} length {length}")));
    }

    /// <summary>The URL without its query (a presigned URL's signature stays out of messages and logs).</summary>
    public string Name { get; }

    public long Length { get; }

    /// <summary>The SHA-256 of the archive's ETag and length.</summary>
    public string ContentIdentity { get; }

    /// <summary>Reads the first <paramref name="headLength"/> bytes (fewer when the archive is shorter) and pins the archive's ETag and length.</summary>
    /// <exception cref="FileNotFoundException">The server answers 404 or 410.</exception>
    /// <exception cref="TileStorageException">The server cannot be reached, answers no ranges or no ETag.</exception>
    public static async Task<(HttpRangeReader Reader, byte[] Head)> OpenAsync(Uri uri, int headLength, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var name = uri.GetLeftPart(UriPartial.Path);
        using var response = await SendAsync(uri, name, 0, headLength, null, timeout, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            throw new FileNotFoundException($"{name}: not found (HTTP {(int)response.StatusCode})", name);
        }

        if (response.StatusCode != HttpStatusCode.PartialContent)
        {
            throw new TileStorageException(response.StatusCode == HttpStatusCode.OK
                ? $"{name}: the server answered a range request with the whole file (HTTP 200): it must answer ranges (206) to serve a PMTiles archive"
                : $"{name}: HTTP {(int)response.StatusCode} {response.ReasonPhrase} to a range request");
        }

        if (response.Headers.ETag is not { } etag)
        {
            throw new TileStorageException($"{name}: the server sends no ETag, so a change of the archive while serving could not be detected; serve it from a server that does (nginx, S3 and CDNs do)");
        }

        if (response.Content.Headers.ContentRange is not { HasLength: true, Length: { } length, From: 0 })
        {
            throw new TileStorageException($"{name}: the answer to a range request has no usable Content-Range ({response.Content.Headers.ContentRange})");
        }

        var reader = new HttpRangeReader(uri, etag, length, timeout);
        var head = await reader.BodyAsync(response, 0, (int)Math.Min(headLength, length), cancellationToken).ConfigureAwait(false);
        return (reader, head);
    }

    public async ValueTask<byte[]> ReadAsync(long offset, int length, CancellationToken cancellationToken)
    {
        if (offset < 0 || length <= 0 || offset > Length - length)
        {
            throw new TileStorageException($"{Name}: {length} bytes at offset {offset} lie beyond the end of the archive ({Length} bytes)");
        }

        using var response = await SendAsync(_uri, Name, offset, length, _etag, _timeout, cancellationToken).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.PreconditionFailed:
                throw new TileArchiveChangedException($"{Name}: the archive changed at its source (its ETag is no longer {_etag}); reload to serve the new one");
            case HttpStatusCode.NotFound or HttpStatusCode.Gone:
                throw new TileArchiveChangedException($"{Name}: the archive is gone from its source (HTTP {(int)response.StatusCode}); reload to serve another one");
            case HttpStatusCode.RequestedRangeNotSatisfiable:
                throw new TileArchiveChangedException($"{Name}: the archive at its source is no longer {Length} bytes long (HTTP 416 for a range inside it); reload to serve the new one");
            case HttpStatusCode.PartialContent:
                break;
            default:
                throw new TileStorageException($"{Name}: HTTP {(int)response.StatusCode} {response.ReasonPhrase} to a range request");
        }

        if (!Equals(response.Headers.ETag, _etag) || response.Content.Headers.ContentRange?.Length != Length)
        {
            throw new TileArchiveChangedException($"{Name}: the archive changed at its source (ETag {response.Headers.ETag}, {response.Content.Headers.ContentRange?.Length} bytes; it was {_etag}, {Length} bytes); reload to serve the new one");
        }

        return await BodyAsync(response, offset, length, cancellationToken).ConfigureAwait(false);
    }

    private async Task<byte[]> BodyAsync(HttpResponseMessage response, long offset, int length, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentRange is not { From: { } from, To: { } to } || from != offset || to != offset + length - 1)
        {
            throw new TileStorageException($"{Name}: asked for bytes {offset}-{offset + length - 1}, got {response.Content.Headers.ContentRange}");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            return body.Length == length
                ? body
                : throw new TileStorageException($"{Name}: asked for {length} bytes at offset {offset}, got {body.Length}");
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TileStorageException($"{Name}: no answer within {_timeout.TotalSeconds:0.#} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new TileStorageException($"{Name}: {e.Message}", e);
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(Uri uri, string name, long offset, int length, EntityTagHeaderValue? ifMatch,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Range = new RangeHeaderValue(offset, offset + length - 1);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
        if (ifMatch is { IsWeak: false })
        {
            request.Headers.IfMatch.Add(ifMatch);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await SharedClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TileStorageException($"{name}: no answer within {timeout.TotalSeconds:0.#} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new TileStorageException($"{name}: {e.Message}", e);
        }
    }
}
