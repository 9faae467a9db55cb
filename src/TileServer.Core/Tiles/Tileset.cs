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
    IReadOnlyList<ZoomStatistics> Zooms)
{
    /// <summary>
    /// The zooms built tile by tile on request (above <see cref="TilesOptions.PrebuildMaxZoom"/>), which the counts,
    /// sizes and <see cref="Zooms"/> above leave out: they describe the tiles built at load.
    /// </summary>
    public IReadOnlyList<int> OnDemandZooms { get; init; } = [];
}

/// <summary>
/// The vector tileset in memory, raw and gzip bytes, built by <see cref="TilesetBuilder"/>: every non-empty tile from z0
/// to <see cref="TilesOptions.PrebuildMaxZoom"/> built at load (a request is one dictionary look-up), the zooms above it
/// up to the maximum zoom built tile by tile on first request into a bounded cache (the same bytes).
/// </summary>
/// <remarks>Thread safety: the tiles built at load are immutable; any number of concurrent readers.</remarks>
public sealed class Tileset : ITileSource
{
    private readonly FrozenDictionary<TileId, EncodedTile> _tiles;
    private readonly OnDemandTiles? _onDemand;

    public Tileset(TilesetInfo info, IEnumerable<KeyValuePair<TileId, EncodedTile>> tiles, TilesetStatistics statistics)
        : this(info, tiles, statistics, null)
    {
    }

    internal Tileset(TilesetInfo info, IEnumerable<KeyValuePair<TileId, EncodedTile>> tiles, TilesetStatistics statistics, OnDemandTiles? onDemand)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(tiles);
        ArgumentNullException.ThrowIfNull(statistics);
        Info = info;
        _tiles = tiles.ToFrozenDictionary();
        Statistics = statistics;
        _onDemand = onDemand;
    }

    public TilesetInfo Info { get; }

    public TilesetStatistics Statistics { get; }

    /// <summary>Every tile that has features; the zooms built on request are built for it (all of their tiles, once).</summary>
    public IEnumerable<TileId> TileIds => _onDemand is null ? _tiles.Keys : _tiles.Keys.Concat(_onDemand.TileIds);

    public bool TryGetTile(TileId id, out EncodedTile tile) =>
        _tiles.TryGetValue(id, out tile!) || (_onDemand is not null && _onDemand.TryGetTile(id, out tile));
}
