using System.Collections.Frozen;

namespace TileServer.Core.Tiles;

/// <summary>Tile count and size at one zoom.</summary>
public sealed record ZoomStatistics(int Zoom, int Tiles, long MvtBytes, long GzipBytes, int LargestTileBytes);

/// <summary>What building the tileset produced and how long each step took.</summary>
/// <param name="CollapsedUnits">(unit, zoom) pairs whose polygon vanished at tile resolution and were kept as a one-unit square at their anchor point (NTS InteriorPoint).</param>
/// <param name="OverlayFallbacks">Polygon clips that needed NTS OverlayNG instead of the rectangle-clipping fast path (rounding made them invalid).</param>
public sealed record TilesetStatistics(
    int Tiles,
    long MvtBytes,
    long GzipBytes,
    int LargestTileBytes,
    string LargestTile,
    int CollapsedUnits,
    int OverlayFallbacks,
    long ElapsedMs,
    IReadOnlyDictionary<string, long> StepsMs,
    IReadOnlyList<ZoomStatistics> Zooms);

/// <summary>
/// The precomputed vector tileset in memory: every non-empty tile from z0 to the maximum zoom, raw and gzip bytes,
/// built once by <see cref="TilesetBuilder"/>. A request is one dictionary look-up.
/// </summary>
/// <remarks>Thread safety: immutable after construction; any number of concurrent readers.</remarks>
public sealed class Tileset : ITileSource
{
    private readonly FrozenDictionary<TileId, EncodedTile> _tiles;

    public Tileset(TilesetInfo info, IEnumerable<KeyValuePair<TileId, EncodedTile>> tiles, TilesetStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(tiles);
        ArgumentNullException.ThrowIfNull(statistics);
        Info = info;
        _tiles = tiles.ToFrozenDictionary();
        Statistics = statistics;
    }

    public TilesetInfo Info { get; }

    public TilesetStatistics Statistics { get; }

    public IEnumerable<TileId> TileIds => _tiles.Keys;

    public bool TryGetTile(TileId id, out EncodedTile tile) => _tiles.TryGetValue(id, out tile!);
}
