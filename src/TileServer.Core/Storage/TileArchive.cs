using System.Security.Cryptography;
using TileServer.Core.Tiles;

namespace TileServer.Core.Storage;

/// <summary>Orders of tile ids that make archive files deterministic.</summary>
internal static class TileOrder
{
    public static readonly IComparer<TileId> ZoomColumnRow = Comparer<TileId>.Create((a, b) =>
        a.Z != b.Z ? a.Z.CompareTo(b.Z) : a.X != b.X ? a.X.CompareTo(b.X) : a.Y.CompareTo(b.Y));
}

/// <summary>Tile archive files: MBTiles (<c>.mbtiles</c>) and PMTiles (<c>.pmtiles</c>).</summary>
/// <remarks>Thread safety: stateless.</remarks>
public static class TileArchive
{
    /// <summary>Opens an archive by its extension with <see cref="MbTilesSource"/> or <see cref="PmTilesSource"/>.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Another extension, or not a readable archive; the message says why.</exception>
    public static ITileSource Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".mbtiles" => MbTilesSource.Open(path),
            ".pmtiles" => PmTilesSource.Open(path),
            _ => throw new InvalidDataException($"{Path.GetFullPath(path)}: a tile archive must be a .mbtiles or .pmtiles file"),
        };
    }

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
