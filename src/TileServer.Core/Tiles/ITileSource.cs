namespace TileServer.Core.Tiles;

/// <summary>A tile address in the XYZ scheme (OSM/Google: y = 0 at the north edge), as in <c>/{z}/{x}/{y}</c> URLs.</summary>
public readonly record struct TileId(int Z, int X, int Y)
{
    /// <summary>True when the address exists at its zoom (0 ≤ x, y &lt; 2^z, 0 ≤ z ≤ 30).</summary>
    public bool IsValid => Z is >= 0 and <= 30 && X >= 0 && Y >= 0 && X < 1 << Z && Y < 1 << Z;

    public override string ToString() => $"{Z}/{X}/{Y}";
}

/// <summary>
/// One encoded vector tile: the Mapbox Vector Tile bytes, and the same bytes gzip-compressed (served as-is to
/// clients that accept gzip, and stored compressed in MBTiles and PMTiles).
/// </summary>
public sealed record EncodedTile(ReadOnlyMemory<byte> Mvt, ReadOnlyMemory<byte> Gzip);

/// <summary>A layer of the tileset, as TileJSON's <c>vector_layers</c> describes it.</summary>
/// <param name="Fields">Attribute name to its TileJSON type (<c>Number</c>, <c>String</c> or <c>Boolean</c>).</param>
public sealed record VectorLayerInfo(string Id, string Description, int MinZoom, int MaxZoom, IReadOnlyDictionary<string, string> Fields);

/// <summary>What a tileset is: the metadata TileJSON, MBTiles and PMTiles headers carry.</summary>
/// <param name="Bounds">West, south, east, north in WGS 84 degrees.</param>
/// <param name="Center">Longitude, latitude and zoom.</param>
public sealed record TilesetInfo(
    string Name,
    string Description,
    string Attribution,
    string Version,
    int MinZoom,
    int MaxZoom,
    double[] Bounds,
    double[] Center,
    IReadOnlyList<VectorLayerInfo> VectorLayers);

/// <summary>
/// A read-only set of encoded tiles: precomputed in memory, or read from an MBTiles or PMTiles archive (a PMTiles
/// archive by byte ranges, from a file or object storage).
/// </summary>
/// <remarks>Thread safety: implementations are safe for any number of concurrent readers.</remarks>
public interface ITileSource
{
    TilesetInfo Info { get; }

    /// <summary>Every tile that has features, in no particular order.</summary>
    IEnumerable<TileId> TileIds { get; }

    /// <summary>The tile, or false when it has no features (or lies outside the tileset).</summary>
    bool TryGetTile(TileId id, out EncodedTile tile);

    /// <summary>
    /// The tile, or null when it has no features; what request handlers call. In-memory sources answer synchronously
    /// (this default, which allocates nothing); sources that read storage complete asynchronously when they must read.
    /// </summary>
    /// <exception cref="Storage.TileStorageException">The storage behind the source failed or changed.</exception>
    ValueTask<EncodedTile?> GetTileAsync(TileId id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TryGetTile(id, out var tile) ? tile : null);
}
