using System.Collections.Concurrent;
using TileServer.Core.Caching;

namespace TileServer.Core.Tiles;

/// <summary>
/// The zooms of a <see cref="Tileset"/> above <see cref="TilesOptions.PrebuildMaxZoom"/>: each zoom's simplified
/// geometries and tile index are made on the first request at that zoom, then each tile on its first request, the same
/// bytes the whole zoom's build gives it (<see cref="ZoomBuild.BuildOne"/>), kept in a cache bounded by
/// <see cref="TilesOptions.CacheBytes"/> (least recently used out first; empty tiles are remembered too).
/// </summary>
/// <remarks>
/// Thread safety: any number of concurrent readers; two first requests of one tile may both build it (the same bytes),
/// a zoom is prepared once.
/// </remarks>
internal sealed class OnDemandTiles
{
    // Stands for "no tile here" in the cache, so that requests for empty tiles inside the index build nothing twice.
    private static readonly EncodedTile NoTile = new(ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty);

    // Per cached entry beyond the tile's bytes: the entry, the record and the arrays' headers, roughly.
    private const long EntryOverheadBytes = 128;

    private readonly Dictionary<int, Lazy<ZoomBuild>> _zooms;
    private readonly BlobCache<EncodedTile> _cache;
    private readonly ConcurrentBag<TileWorker> _workers = [];
    private readonly Lazy<TileId[]> _ids;

    /// <param name="zooms">Per zoom, what prepares it (builds its <see cref="ZoomBuild"/> for single tiles).</param>
    /// <param name="cacheBytes">Most bytes of tiles kept.</param>
    public OnDemandTiles(IReadOnlyDictionary<int, Func<ZoomBuild>> zooms, long cacheBytes)
    {
        _zooms = zooms.ToDictionary(z => z.Key, z => new Lazy<ZoomBuild>(() =>
        {
            var build = z.Value();
            build.PrepareOnDemand();
            return build;
        }));
        _cache = new BlobCache<EncodedTile>(cacheBytes);
        _ids = new Lazy<TileId[]>(() =>
        [
            .. _zooms.Keys.Order().SelectMany(z => _zooms[z].Value.PossibleTiles()
                .Select(t => new TileId(z, t.X, t.Y))
                .Where(id => TryGetTile(id, out _))),
        ]);
    }

    /// <summary>The zooms built on request, ascending.</summary>
    public IReadOnlyList<int> Zooms => [.. _zooms.Keys.Order()];

    /// <summary>Every tile of these zooms that has features: building them all once (for exports and reports, not requests).</summary>
    public IEnumerable<TileId> TileIds => _ids.Value;

    public bool TryGetTile(TileId id, out EncodedTile tile)
    {
        if (!id.IsValid || !_zooms.TryGetValue(id.Z, out var zoom))
        {
            tile = null!;
            return false;
        }

        var key = ((long)id.Z << 40) | ((long)id.X << 20) | (uint)id.Y;
        if (!_cache.TryGet(key, out var cached))
        {
            if (!_workers.TryTake(out var worker))
            {
                worker = new TileWorker();
            }

            try
            {
                cached = zoom.Value.BuildOne(id.X, id.Y, worker) ?? NoTile;
            }
            finally
            {
                _workers.Add(worker);
            }

            _cache.Add(key, cached, cached.Mvt.Length + cached.Gzip.Length + EntryOverheadBytes);
        }

        tile = cached;
        return !ReferenceEquals(cached, NoTile);
    }
}
