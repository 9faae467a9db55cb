using BenchmarkDotNet.Attributes;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.VectorTiles;
using NetTopologySuite.IO.VectorTiles.Mapbox;
using NetTopologySuite.Index.Strtree;
using TileServer.Core.Dataset;
using TileServer.Core.Tiles;

namespace TileServer.Benchmarks.Tiles;

/// <summary>
/// Precomputing the Peru tileset. Baseline (same process): the library path without coverage simplification, i.e.
/// what ST_AsMVTGeom + ST_AsMVT do: for every z0-z10 tile, NTS OverlayNG intersection of each district (R-tree hit)
/// with the buffered tile, then NetTopologySuite.IO.VectorTiles.Mapbox's MapboxTileWriter (quantisation and encoding),
/// gzip excluded. The contenders also gzip every tile.
/// Run: dotnet run -c Release --project benchmarks/TileServer.Benchmarks -- --filter '*TileBuildBenchmarks*'
/// Three warm-up builds: the served host runs fully optimised code (TieredCompilation off), and one warm-up left the
/// first measured builds of the districts-only run on tier-0 code, up to twice as slow. Server GC, as the host runs
/// (the Web SDK's default): the workstation GC made the same build about a third slower.
/// </summary>
[MemoryDiagnoser]
[GcServer(true)]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 7)]
public class TileBuildBenchmarks
{
    private DatasetSnapshot _snapshot = null!;
    private (Geometry Geometry, string Code)[] _districts = [];
    private STRtree<int> _index = null!;

    [GlobalSetup]
    public void Load()
    {
        _snapshot = PeruTileData.Load();
        _districts = [.. _snapshot.Districts.Units.Select(u => (u.Geometry, u.Code))];
        _index = new STRtree<int>();
        for (var i = 0; i < _districts.Length; i++)
        {
            _index.Insert(_districts[i].Geometry.EnvelopeInternal, i);
        }

        _index.Build();
    }

    [Benchmark(Baseline = true)]
    public long DistrictsZ0To10_LibraryWithoutSimplification()
    {
        var envelope = new Envelope();
        foreach (var (geometry, _) in _districts)
        {
            envelope.ExpandToInclude(geometry.EnvelopeInternal);
        }

        var ids = new List<TileId>();
        for (var z = 0; z <= 10; z++)
        {
            var a = WebMercator.TileAt(envelope.MinX, envelope.MaxY, z);
            var b = WebMercator.TileAt(envelope.MaxX, envelope.MinY, z);
            for (var x = a.X; x <= b.X; x++)
            {
                for (var y = a.Y; y <= b.Y; y++)
                {
                    ids.Add(new TileId(z, x, y));
                }
            }
        }

        long bytes = 0;
        Parallel.ForEach(ids, () => new MemoryStream(), (id, _, stream) =>
        {
            var west = WebMercator.Longitude(WebMercator.TileWest(id.Z, id.X));
            var east = WebMercator.Longitude(WebMercator.TileWest(id.Z, id.X + 1));
            var north = WebMercator.Latitude(WebMercator.TileNorth(id.Z, id.Y));
            var south = WebMercator.Latitude(WebMercator.TileNorth(id.Z, id.Y + 1));
            var margin = (east - west) * 64 / 4096;
            var box = new GeometryFactory().ToGeometry(new Envelope(west - margin, east + margin, south - margin, north + margin));
            var layer = new Layer { Name = "districts" };
            foreach (var i in _index.Query(box.EnvelopeInternal))
            {
                var clipped = _districts[i].Geometry.Intersection(box);
                if (!clipped.IsEmpty)
                {
                    layer.Features.Add(new Feature(clipped, new AttributesTable { { "code", _districts[i].Code } }));
                }
            }

            if (layer.Features.Count == 0)
            {
                return stream;
            }

            var tile = new VectorTile { TileId = new NetTopologySuite.IO.VectorTiles.Tiles.Tile(id.X, id.Y, id.Z).Id };
            tile.Layers.Add(layer);
            stream.SetLength(0);
            tile.Write(stream, 4096, 0, 0, "id");
            Interlocked.Add(ref bytes, stream.Length);
            return stream;
        }, stream => stream.Dispose());
        return bytes;
    }

    [Benchmark]
    public long DistrictsZ0To10_CoverageSimplified() => PeruTileData.Build(_snapshot, PeruTileData.DistrictsOnly()).Statistics.MvtBytes;

    [Benchmark]
    public long FullTilesetZ0To12() => PeruTileData.Build(_snapshot, PeruTileData.Full()).Statistics.MvtBytes;
}

/// <summary>The request path's look-up: one frozen-dictionary probe, no allocation.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class TileLookupBenchmarks
{
    private Tileset _tiles = null!;
    private TileId[] _ids = [];

    [GlobalSetup]
    public void Load()
    {
        _tiles = (Tileset)DatasetLoader.Load(
            new DatasetOptions
            {
                Districts = PeruData.File("districts.shp"),
                Estimates = PeruData.File("poverty.csv"),
            },
            new TilesOptions()).Tiles!;
        _ids = [.. _tiles.TileIds.Take(4096)];
    }

    [Benchmark(OperationsPerInvoke = 4096)]
    public long LookUp()
    {
        long bytes = 0;
        foreach (var id in _ids)
        {
            if (_tiles.TryGetTile(id, out var tile))
            {
                bytes += tile.Gzip.Length;
            }
        }

        return bytes;
    }
}
