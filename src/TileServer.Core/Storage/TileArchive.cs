using System.Security.Cryptography;
using TileServer.Core.Tiles;

namespace TileServer.Core.Storage;

/// <summary>Orders of tile ids that make archive files deterministic.</summary>
internal static class TileOrder
{
    public static readonly IComparer<TileId> ZoomColumnRow = Comparer<TileId>.Create((a, b) =>
        a.Z != b.Z ? a.Z.CompareTo(b.Z) : a.X != b.X ? a.X.CompareTo(b.X) : a.Y.CompareTo(b.Y));
}

/// <summary>How tile archives are read: the cache bound, the storage timeout and how <c>s3://</c> is reached.</summary>
public sealed record TileArchiveOptions
{
    /// <summary>Bound of the leaf directory and tile cache of a PMTiles archive (<see cref="PmTilesSource"/>).</summary>
    public long CacheBytes { get; init; } = TilesOptions.DefaultCacheBytes;

    /// <summary>Longest wait for one read from object storage.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public S3SourceOptions S3 { get; init; } = new();

    /// <summary>The archive options of the <c>Tiles</c> configuration section.</summary>
    public static TileArchiveOptions From(TilesOptions tiles)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        return new TileArchiveOptions
        {
            CacheBytes = tiles.CacheBytes,
            Timeout = TimeSpan.FromSeconds(tiles.SourceTimeoutSeconds),
            S3 = tiles.S3,
        };
    }
}

/// <summary>
/// Tile archives: MBTiles (<c>.mbtiles</c>, a local file) and PMTiles (<c>.pmtiles</c>: a local file, an
/// <c>http(s)://</c> URL or an <c>s3://bucket/key</c> object, read by ranges).
/// </summary>
/// <remarks>Thread safety: stateless.</remarks>
public static class TileArchive
{
    /// <summary>True for a source in object storage or behind HTTP rather than a local path (<see cref="TilesOptions.IsRemote"/>).</summary>
    public static bool IsRemote(string source) => TilesOptions.IsRemote(source);

    /// <summary>Opens a local archive by its extension with <see cref="MbTilesSource"/> or <see cref="PmTilesSource"/> (default cache).</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Another extension, or not a readable archive; the message says why.</exception>
    public static ITileSource Open(string path) => Open(path, new TileArchiveOptions());

    /// <summary>Opens a local archive by its extension, or a remote PMTiles archive by its URL (<see cref="IsRemote"/>).</summary>
    /// <exception cref="FileNotFoundException">No file or object at <paramref name="source"/>.</exception>
    /// <exception cref="InvalidDataException">Another extension, or not a readable archive; the message says why.</exception>
    /// <exception cref="TileStorageException">The storage cannot be reached or does not answer range requests.</exception>
    public static ITileSource Open(string source, TileArchiveOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentNullException.ThrowIfNull(options);
        if (IsRemote(source))
        {
            return OpenRemoteAsync(source, options, CancellationToken.None).GetAwaiter().GetResult();
        }

        return Path.GetExtension(source).ToLowerInvariant() switch
        {
            ".mbtiles" => MbTilesSource.Open(source),
            ".pmtiles" => PmTilesSource.Open(source, options.CacheBytes),
            _ => throw new InvalidDataException($"{Path.GetFullPath(source)}: a tile archive must be a .mbtiles or .pmtiles file"),
        };
    }

    /// <summary>
    /// What the tiles' validators name for an archive <see cref="Open(string, TileArchiveOptions)"/> returned: the
    /// first 16 hex digits of the SHA-256 of a local file, or of an object's ETag and length.
    /// </summary>
    public static string ContentVersion(ITileSource archive, string source) => archive switch
    {
        PmTilesSource pmtiles => pmtiles.ContentVersion,
        _ => ContentVersion(source),
    };

    private static async Task<PmTilesSource> OpenRemoteAsync(string source, TileArchiveOptions options, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(source, UriKind.Absolute, out var uri))
        {
            throw new InvalidDataException($"{source}: not a valid URL");
        }

        if (!uri.AbsolutePath.EndsWith(".pmtiles", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{uri.GetLeftPart(UriPartial.Path)}: only PMTiles archives (.pmtiles) are read from object storage or HTTP: MBTiles is SQLite and needs a local file");
        }

        var (reader, head) = uri.Scheme.Equals("s3", StringComparison.OrdinalIgnoreCase)
            ? await OpenS3Async(uri, options, cancellationToken).ConfigureAwait(false)
            : await OpenHttpAsync(uri, options, cancellationToken).ConfigureAwait(false);
        return await PmTilesSource.OpenAsync(reader, head, options.CacheBytes, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(IRangeReader, byte[])> OpenHttpAsync(Uri uri, TileArchiveOptions options, CancellationToken cancellationToken) =>
        await HttpRangeReader.OpenAsync(uri, PmTilesHeader.MaxHeaderAndRootBytes, options.Timeout, cancellationToken).ConfigureAwait(false);

    private static async Task<(IRangeReader, byte[])> OpenS3Async(Uri uri, TileArchiveOptions options, CancellationToken cancellationToken) =>
        await S3RangeReader.OpenAsync(uri, options.S3, PmTilesHeader.MaxHeaderAndRootBytes, options.Timeout, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The first 16 hex digits of the SHA-256 of the file: names the archive's content (its metadata <c>version</c>
    /// names the dataset it was built from, which does not change when another tiles configuration rewrites it).
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static string ContentVersion(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream).AsSpan(0, 8));
    }

    /// <exception cref="ArgumentException">Bounds are not 4 numbers or the center not 3, or they are not degrees.</exception>
    internal static void CheckInfo(TilesetInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.Bounds is not [var west, var south, var east, var north]
            || !(west >= -180 && east <= 180 && west <= east && south >= -90 && north <= 90 && south <= north))
        {
            throw new ArgumentException($"tileset bounds must be west, south, east, north in degrees, got [{string.Join(", ", info.Bounds ?? [])}]", nameof(info));
        }

        if (info.Center is not [var longitude, var latitude, var zoom]
            || !(longitude is >= -180 and <= 180 && latitude is >= -90 and <= 90 && zoom is >= 0 and <= 30))
        {
            throw new ArgumentException($"tileset center must be longitude, latitude, zoom, got [{string.Join(", ", info.Center ?? [])}]", nameof(info));
        }
    }

    /// <exception cref="InvalidOperationException">The source lists the tile but does not return it.</exception>
    internal static EncodedTile GetListedTile(ITileSource source, TileId id)
    {
        if (!id.IsValid)
        {
            throw new InvalidOperationException($"the tile source lists an invalid tile address {id}");
        }

        return source.TryGetTile(id, out var tile)
            ? tile
            : throw new InvalidOperationException($"the tile source lists tile {id} but does not return it");
    }
}

/// <summary>Temporary files written beside their target, so that the final move is a rename on the same volume.</summary>
internal static class TemporaryFile
{
    public static string Beside(string target)
    {
        var folder = Path.GetDirectoryName(target) ?? ".";
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
    }

    public static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original error is what the caller needs to see.
        }
        catch (UnauthorizedAccessException)
        {
            // Likewise.
        }
    }
}
