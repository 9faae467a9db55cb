using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using TileServer.Core.Tiles;

namespace TileServer.Core.Storage;

/// <summary>
/// Byte ranges of an object in S3 or an S3-compatible store (<c>s3://bucket/key</c>), by ranged <c>GetObject</c>
/// requests of the AWS SDK (SigV4 signing and the credential chain are the SDK's). The object is pinned by its ETag
/// at open: later ranges ask <c>If-Match</c> it (S3 answers 412 once the object was replaced) and every answer's
/// ETag is compared with it too, since some compatible stores (s3rver) ignore <c>If-Match</c>.
/// </summary>
/// <remarks>Thread safety: the SDK client is thread safe; any number of concurrent reads.</remarks>
public sealed class S3RangeReader : IRangeReader
{
    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _key;
    private readonly string _etag;
    private readonly TimeSpan _timeout;

    private S3RangeReader(IAmazonS3 client, string bucket, string key, string etag, long length, TimeSpan timeout)
    {
        _timeout = timeout;
        _client = client;
        _bucket = bucket;
        _key = key;
        _etag = etag;
        Length = length;
        Name = $"s3://{bucket}/{key}";
        ContentIdentity = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"etag {etag} length {length}")));
    }

    public string Name { get; }

    public long Length { get; }

    /// <summary>The SHA-256 of the object's ETag and length.</summary>
    public string ContentIdentity { get; }

    /// <summary>Reads the first <paramref name="headLength"/> bytes (fewer when the object is shorter) and pins the object's ETag and length.</summary>
    /// <exception cref="FileNotFoundException">No such bucket or key.</exception>
    /// <exception cref="TileStorageException">The store cannot be reached or refuses the request.</exception>
    public static async Task<(S3RangeReader Reader, byte[] Head)> OpenAsync(Uri uri, S3SourceOptions options, int headLength, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(options);
        var bucket = uri.Host;
        var key = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        var name = $"s3://{bucket}/{key}";
        if (bucket.Length == 0 || key.Length == 0)
        {
            throw new TileStorageException($"{uri}: an S3 source is s3://bucket/key");
        }

        var client = CreateClient(options, timeout);
        var (etag, length, head) = await GetAsync(client, bucket, key, name, 0, headLength, null, timeout, cancellationToken).ConfigureAwait(false);
        return (new S3RangeReader(client, bucket, key, etag, length, timeout), head);
    }

    public async ValueTask<byte[]> ReadAsync(long offset, int length, CancellationToken cancellationToken)
    {
        if (offset < 0 || length <= 0 || offset > Length - length)
        {
            throw new TileStorageException($"{Name}: {length} bytes at offset {offset} lie beyond the end of the archive ({Length} bytes)");
        }

        try
        {
            var (etag, total, bytes) = await GetAsync(_client, _bucket, _key, Name, offset, length, _etag, _timeout, cancellationToken).ConfigureAwait(false);
            return etag == _etag && total == Length
                ? bytes
                : throw new TileArchiveChangedException($"{Name}: the object changed in the store (ETag {etag}, {total} bytes; it was {_etag}, {Length} bytes); reload to serve the new one");
        }
        catch (FileNotFoundException e)
        {
            throw new TileArchiveChangedException($"{Name}: the object is gone from the store; reload to serve another one", e);
        }
    }

    private static AmazonS3Client CreateClient(S3SourceOptions options, TimeSpan timeout)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            Timeout = timeout,
            MaxErrorRetry = 2,
        };
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = string.IsNullOrWhiteSpace(options.Region) ? "us-east-1" : options.Region;
        }
        else if (!string.IsNullOrWhiteSpace(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return string.IsNullOrEmpty(options.AccessKeyId)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey), config);
    }

    /// <param name="timeout">A bound for the whole request, retries included.</param>
    private static async Task<(string ETag, long Length, byte[] Bytes)> GetAsync(IAmazonS3 client, string bucket, string key, string name,
        long offset, int length, string? ifMatch, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);

        try
        {
            var request = new GetObjectRequest { BucketName = bucket, Key = key, ByteRange = new ByteRange(offset, offset + length - 1) };
            if (ifMatch is not null)
            {
                request.EtagToMatch = ifMatch;
            }

            using var response = await client.GetObjectAsync(request, deadline.Token).ConfigureAwait(false);
            var total = ParseTotal(response.ContentRange)
                ?? throw new TileStorageException($"{name}: the answer to a range request has no usable Content-Range ({response.ContentRange})");
            var expected = (int)Math.Min(length, total - offset);
            var bytes = new byte[expected];
            await response.ResponseStream.ReadExactlyAsync(bytes, deadline.Token).ConfigureAwait(false);
            return (response.ETag, total, bytes);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw new TileArchiveChangedException($"{name}: the object changed in the store (its ETag is no longer {ifMatch}); reload to serve the new one", e);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && ifMatch is not null)
        {
            throw new TileArchiveChangedException($"{name}: the object in the store is no longer as long as it was (416 for a range inside it); reload to serve the new one", e);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"{name}: not found in the store ({e.ErrorCode})", name, e);
        }
        catch (AmazonServiceException e)
        {
            throw new TileStorageException($"{name}: the store refused the request: {(int)e.StatusCode} {e.ErrorCode}: {e.Message}", e);
        }
        catch (AmazonClientException e)
        {
            throw new TileStorageException($"{name}: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TileStorageException($"{name}: no answer within {timeout.TotalSeconds:0.#} s", e);
        }
        catch (Exception e) when (e is HttpRequestException or EndOfStreamException)
        {
            throw new TileStorageException($"{name}: {e.Message}", e);
        }
    }

    /// <summary>The complete length in a <c>Content-Range</c> value (<c>bytes 0-16383/1234567</c>).</summary>
    private static long? ParseTotal(string? contentRange)
    {
        var slash = contentRange?.LastIndexOf('/') ?? -1;
        return slash > 0 && long.TryParse(contentRange.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var total)
            ? total
            : null;
    }
}
