using System.IO.Compression;
using NetTopologySuite.Geometries;
using TileServer.Core.Dataset;
using TileServer.Core.Model;
using TileServer.Core.Tests.Support;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Tiles;

public sealed class SampleTilesetFixture
{
    public SampleTilesetFixture()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "TileServer.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("TileServer.sln not found");
        }

        Snapshot = DatasetLoader.Load(
            new DatasetOptions
            {
                Districts = Path.Combine(root, "geodata", "sample", "districts.shp"),
                Estimates = Path.Combine(root, "geodata", "sample", "estimates.csv"),
            },
            new TilesOptions { MaxZoom = 9 });
    }

    public DatasetSnapshot Snapshot { get; }

    public Tileset Tiles => (Tileset)Snapshot.Tiles!;
}

public class SampleTilesetTests(SampleTilesetFixture sample) : IClassFixture<SampleTilesetFixture>
{
    [Fact]
    public void Gzip_bytes_are_the_mvt_bytes_compressed()
    {
        foreach (var id in sample.Tiles.TileIds.Take(50))
        {
            Assert.True(sample.Tiles.TryGetTile(id, out var tile));
            using var gzip = new GZipStream(new MemoryStream(tile.Gzip.ToArray()), CompressionMode.Decompress);
            using var raw = new MemoryStream();
            gzip.CopyTo(raw);
            Assert.Equal(tile.Mvt.ToArray(), raw.ToArray());
        }
    }

    [Fact]
    public void Layers_follow_their_zoom_ranges()
    {
        foreach (var id in sample.Tiles.TileIds)
        {
            Assert.True(id.IsValid);
            Assert.True(sample.Tiles.TryGetTile(id, out var tile));
            var layers = TileDecoding.Decode(id, tile.Mvt);
            Assert.Equal(id.Z >= 5, layers.ContainsKey("districts"));
            Assert.Equal(id.Z >= 3, layers.ContainsKey("provinces"));
            Assert.True(layers.ContainsKey("departments"), $"{id} has no departments");
        }
    }

    [Fact]
    public void Info_describes_layers_fields_and_bounds()
    {
        var info = sample.Tiles.Info;
        Assert.Equal("poverty", info.Name);
        Assert.Equal(sample.Snapshot.Version, info.Version);
        Assert.Equal(["departments", "provinces", "districts", "labels"], info.VectorLayers.Select(l => l.Id));
        var districts = info.VectorLayers[2];
        Assert.Equal((5, 9), (districts.MinZoom, districts.MaxZoom));
        Assert.Equal("String", districts.Fields["province"]);
        Assert.Contains(districts.Fields, f => f.Value == "Number");
        Assert.True(info.Bounds[0] < info.Bounds[2] && info.Bounds[1] < info.Bounds[3]);
        Assert.InRange(info.Center[0], info.Bounds[0], info.Bounds[2]);
    }

    [Fact]
    public void Tiles_without_features_are_absent()
    {
        Assert.False(sample.Tiles.TryGetTile(new TileId(9, 0, 0), out _));
        Assert.All(sample.Tiles.TileIds, id => Assert.True(sample.Tiles.TryGetTile(id, out var tile) && tile.Mvt.Length > 0));
    }

    [Fact]
    public void Geometry_only_tiles_carry_the_numeric_id_alone()
    {
        var snapshot = sample.Snapshot;
        var tiles = TilesetBuilder.Build(snapshot.Departments, snapshot.Provinces, snapshot.Districts, snapshot.Parents, snapshot.LabelPoints, snapshot.Topology, snapshot.Version,
            new TilesOptions { MaxZoom = 6, Attributes = false, Labels = false, Departments = { Enabled = false }, Provinces = { Enabled = false }, Districts = { MinZoom = 0 } });
        var id = tiles.TileIds.First(t => t.Z == 0);
        Assert.True(tiles.TryGetTile(id, out var tile));
        var districts = TileDecoding.Decode(id, tile.Mvt).Layer("districts");
        Assert.Equal(snapshot.Districts.Units.Count, districts.Count);
        Assert.All(districts, f => Assert.Empty(f.Attributes.GetNames()));
    }

    [Fact]
    public async Task A_build_started_before_the_label_points_exist_waits_for_them_and_gives_the_same_tiles()
    {
        var snapshot = sample.Snapshot;
        var points = new TaskCompletionSource<LabelPoints>(TaskCreationOptions.RunContinuationsAsynchronously);
        var building = Task.Run(() => TilesetBuilder.Build(snapshot.Departments, snapshot.Provinces, snapshot.Districts, snapshot.Parents, points.Task, snapshot.Topology, snapshot.Version, new TilesOptions { MaxZoom = 9 }));

        // Every zoom built at load places labels: without the points the build cannot end, however long it is given.
        Assert.NotSame(building, await Task.WhenAny(building, Task.Delay(300)));
        points.SetResult(snapshot.LabelPoints);
        var tiles = await building;

        Assert.Equal(sample.Tiles.TileIds.ToHashSet(), tiles.TileIds.ToHashSet());
        foreach (var id in sample.Tiles.TileIds)
        {
            Assert.True(sample.Tiles.TryGetTile(id, out var want));
            Assert.True(tiles.TryGetTile(id, out var got));
            Assert.True(want.Mvt.Span.SequenceEqual(got.Mvt.Span), $"{id}: other bytes");
        }

        Assert.Contains(tiles.TileIds, id => id.Z == 9);
        Assert.True(tiles.Statistics.StepsMs.ContainsKey("labelPointsWait"));
    }

    [Fact]
    public void A_failed_label_point_computation_fails_the_tile_build_with_its_exception()
    {
        var snapshot = sample.Snapshot;
        var failed = Task.FromException<LabelPoints>(new InvalidOperationException("no label points"));
        var error = Assert.ThrowsAny<Exception>(() => TilesetBuilder.Build(snapshot.Departments, snapshot.Provinces, snapshot.Districts, snapshot.Parents, failed, snapshot.Topology, snapshot.Version, new TilesOptions { MaxZoom = 9 }));
        var causes = error is AggregateException aggregate ? aggregate.Flatten().InnerExceptions : [error];
        Assert.NotEmpty(causes);
        Assert.All(causes, e => Assert.Equal("no label points", Assert.IsType<InvalidOperationException>(e).Message));

        // Without the labels layer the points are not waited for.
        var tiles = TilesetBuilder.Build(snapshot.Departments, snapshot.Provinces, snapshot.Districts, snapshot.Parents, failed, snapshot.Topology, snapshot.Version, new TilesOptions { MaxZoom = 9, Labels = false });
        Assert.NotEmpty(tiles.TileIds);
    }
}

public class UncleanedLayerTilesetTests
{
    [Fact]
    public void A_published_layer_that_is_a_coverage_gets_its_topology_and_every_district_into_its_tiles()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "TileServer.sln")))
        {
            root = Path.GetDirectoryName(root)!;
        }

        var snapshot = DatasetLoader.Load(
            new DatasetOptions
            {
                Districts = Path.Combine(root, "geodata", "sample", "districts.shp"),
                Estimates = Path.Combine(root, "geodata", "sample", "estimates.csv"),
                CleanCoverage = false,
            },
            new TilesOptions { MaxZoom = 7 });

        Assert.NotNull(snapshot.Topology);
        Assert.Equal(snapshot.Districts.Units.Count, DistrictCodesAt(snapshot, 7).Count);
    }

    [Fact]
    public void A_published_layer_whose_districts_overlap_has_no_topology_and_still_gets_every_district_into_its_tiles()
    {
        using var temp = new TempFolder();
        var overlapping = SmallLayers.FourSquares().Select((d, i) => i == 0 ? (d.Code, d.Name, (Geometry)SmallLayers.Box(-77, -13, -75.9, -12)) : d);
        var snapshot = DatasetLoader.Load(
            new DatasetOptions
            {
                Districts = SmallLayers.WriteShapefile(temp.Path, overlapping),
                Estimates = SmallLayers.WriteCsv(temp.Path, SmallLayers.FourSquaresCsv),
                CleanCoverage = false,
            },
            new TilesOptions { MaxZoom = 7 });

        Assert.Null(snapshot.Topology);
        Assert.Equal(1, snapshot.Report.SourceCoverage.OverlappingPairs);
        Assert.Equal(snapshot.Districts.Units.Count, DistrictCodesAt(snapshot, 7).Count);
    }

    private static HashSet<string> DistrictCodesAt(DatasetSnapshot snapshot, int zoom)
    {
        var tiles = snapshot.Tiles!;
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in tiles.TileIds.Where(t => t.Z == zoom))
        {
            Assert.True(tiles.TryGetTile(id, out var tile));
            foreach (var feature in TileDecoding.Decode(id, tile.Mvt).Layer("districts"))
            {
                codes.Add((string)feature.Attributes["code"]);
            }
        }

        return codes;
    }
}
