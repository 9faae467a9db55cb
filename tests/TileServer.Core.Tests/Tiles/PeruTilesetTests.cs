using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Union;
using TileServer.Core.Dataset;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Tiles;

public sealed class PeruTilesetFixture
{
    private readonly Lazy<DatasetSnapshot> _snapshot = new(() => DatasetLoader.Load(
        new DatasetOptions { Districts = PeruData.File("districts.shp"), Estimates = PeruData.File("poverty.csv") },
        new TilesOptions()));

    public DatasetSnapshot Snapshot => _snapshot.Value;

    public Tileset Tiles => (Tileset)Snapshot.Tiles!;
}

public class PeruTilesetTests(PeruTilesetFixture peru) : IClassFixture<PeruTilesetFixture>
{
    private static readonly GeometryFactory Factory = new();

    [PeruFact]
    public void The_z12_tile_of_Limas_main_square_has_district_150101_with_its_estimates()
    {
        var id = WebMercator.TileAt(-77.0300, -12.0453, 12);
        Assert.True(peru.Tiles.TryGetTile(id, out var tile));
        var districts = TileDecoding.Decode(id, tile.Mvt).Layer("districts");
        var lima = Assert.Single(districts, f => Equals(f.Attributes["code"], "150101"));
        var unit = peru.Snapshot.Districts.ByCode["150101"];
        Assert.Equal(unit.Name, lima.Attributes["name"]);
        Assert.Equal("1501", lima.Attributes["province"]);
        Assert.Equal("15", lima.Attributes["department"]);
        var columns = peru.Snapshot.Districts.Columns;
        var numbers = 0;
        for (var c = 0; c < columns.Count; c++)
        {
            if (unit.Values[c] is double expected)
            {
                Assert.Equal(expected, Convert.ToDouble(lima.Attributes[columns[c].Name], System.Globalization.CultureInfo.InvariantCulture), 9);
                numbers++;
            }
        }

        Assert.True(numbers >= 5, $"only {numbers} estimates");
        var square = Factory.CreatePoint(new Coordinate(-77.0300, -12.0453));
        Assert.True(lima.Geometry.Buffer(0.0005).Contains(square), "the main square lies in the decoded district");
    }

    [PeruFact]
    public void Missing_estimates_are_left_out_not_zero()
    {
        var unit = peru.Snapshot.Districts.Units.First(u => !u.HasEstimates);
        var label = unit.Geometry.InteriorPoint;
        var id = WebMercator.TileAt(label.X, label.Y, 10);
        Assert.True(peru.Tiles.TryGetTile(id, out var tile));
        var feature = Assert.Single(TileDecoding.Decode(id, tile.Mvt).Layer("districts"), f => Equals(f.Attributes["code"], unit.Code));
        foreach (var column in peru.Snapshot.Districts.Columns)
        {
            Assert.False(feature.Attributes.Exists(column.Name), $"{column.Name} should be absent");
        }
    }

    [PeruTheory]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(10)]
    [InlineData(12)]
    public void Every_district_appears_in_some_tile(int zoom)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in peru.Tiles.TileIds.Where(t => t.Z == zoom))
        {
            Assert.True(peru.Tiles.TryGetTile(id, out var tile));
            foreach (var feature in TileDecoding.Decode(id, tile.Mvt).Layer("districts"))
            {
                seen.Add((string)feature.Attributes["code"]);
            }
        }

        var missing = peru.Snapshot.Districts.Units.Select(u => u.Code).Where(c => !seen.Contains(c)).ToArray();
        Assert.True(missing.Length == 0, $"missing at z{zoom}: {string.Join(", ", missing.Take(20))}");
    }

    [PeruTheory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Department_features_are_valid_polygons(int zoom)
    {
        var count = 0;
        foreach (var id in peru.Tiles.TileIds.Where(t => t.Z == zoom))
        {
            Assert.True(peru.Tiles.TryGetTile(id, out var tile));
            foreach (var feature in TileDecoding.Decode(id, tile.Mvt).Layer("departments"))
            {
                var local = TileDecoding.ToTileUnits(feature.Geometry, id, round: true);
                Assert.True(local is Polygon or MultiPolygon, $"{feature.Attributes["code"]} is a {local.GeometryType}");
                Assert.True(local.IsValid, $"department {feature.Attributes["code"]} at {id} is invalid");
                Assert.True(local.Area > 0);
                count++;
            }
        }

        Assert.True(count >= 25, $"only {count} department features at z{zoom}");
    }

    [PeruTheory]
    [InlineData(8)]
    [InlineData(10)]
    [InlineData(12)]
    public void Every_polygon_of_every_layer_is_valid(int zoom)
    {
        var invalid = new List<string>();
        var count = 0;
        foreach (var id in peru.Tiles.TileIds.Where(t => t.Z == zoom))
        {
            Assert.True(peru.Tiles.TryGetTile(id, out var tile));
            foreach (var (layer, features) in TileDecoding.Decode(id, tile.Mvt).Where(l => l.Key != "labels"))
            {
                foreach (var feature in features)
                {
                    count++;
                    if (!TileDecoding.ToTileUnits(feature.Geometry, id, round: true).IsValid)
                    {
                        invalid.Add($"{id} {layer} {feature.Attributes["code"]}");
                    }
                }
            }
        }

        Assert.True(count > 1000);
        Assert.True(invalid.Count == 0, $"{invalid.Count} invalid: {string.Join("; ", invalid.Take(10))}");
    }

    [PeruTheory]
    [InlineData(5)]
    [InlineData(8)]
    public void Districts_cover_the_departments_without_cracks_or_overlaps(int zoom)
    {
        const double pixel = 8 * 8; // one pixel of a 512-pixel tile, in square extent units
        var box = Factory.ToGeometry(new Envelope(0, 4096, 0, 4096));
        var tiles = 0;
        foreach (var id in peru.Tiles.TileIds.Where(t => t.Z == zoom))
        {
            Assert.True(peru.Tiles.TryGetTile(id, out var tile));
            var decoded = TileDecoding.Decode(id, tile.Mvt);
            var districts = decoded.Layer("districts").Select(f => TileDecoding.ToTileUnits(f.Geometry, id)).ToArray();
            var departments = decoded.Layer("departments").Select(f => TileDecoding.ToTileUnits(f.Geometry, id)).ToArray();
            if (districts.Length == 0)
            {
                continue;
            }

            tiles++;
            var districtCover = UnaryUnionOp.Union(districts).Intersection(box);
            var departmentCover = UnaryUnionOp.Union(departments).Intersection(box);
            var difference = districtCover.SymmetricDifference(departmentCover).Area;
            Assert.True(difference < 0.001 * 4096 * 4096, $"{id}: districts and departments differ by {difference / (4096.0 * 4096):P3} of the tile");

            var index = new NetTopologySuite.Index.Strtree.STRtree<int>();
            for (var i = 0; i < districts.Length; i++)
            {
                index.Insert(districts[i].EnvelopeInternal, i);
            }

            for (var i = 0; i < districts.Length; i++)
            {
                foreach (var j in index.Query(districts[i].EnvelopeInternal).Where(j => j > i))
                {
                    var overlap = districts[i].Intersection(districts[j]).Area;
                    Assert.True(overlap <= pixel, $"{id}: districts #{i} and #{j} overlap by {overlap} square units");
                }
            }
        }

        Assert.True(tiles > 0);
    }

    [PeruFact]
    public void Every_unit_has_one_label_point_inside_it_at_z8()
    {
        var labels = new List<(string Level, string Code, Point Point)>();
        foreach (var id in peru.Tiles.TileIds.Where(t => t.Z == 8))
        {
            Assert.True(peru.Tiles.TryGetTile(id, out var tile));
            labels.AddRange(TileDecoding.Decode(id, tile.Mvt).Layer("labels")
                .Select(f => ((string)f.Attributes["level"], (string)f.Attributes["code"], (Point)f.Geometry)));
        }

        var districts = labels.Where(l => l.Level == "district").ToArray();
        Assert.Equal(peru.Snapshot.Districts.Units.Count, districts.Length);
        Assert.Equal(districts.Length, districts.Select(l => l.Code).Distinct().Count());
        var outside = districts.Count(l => !peru.Snapshot.Districts.ByCode[l.Code].Geometry.Buffer(0.01).Contains(l.Point));
        Assert.Equal(0, outside);
        Assert.Equal(25, labels.Count(l => l.Level == "department"));
    }

    [PeruFact]
    public void From_z0_every_district_stays_and_a_collapsed_one_is_a_square_inside_it()
    {
        var options = new TilesOptions { MaxZoom = 4, Labels = false, Departments = { Enabled = false }, Provinces = { Enabled = false }, Districts = { MinZoom = 0 } };
        var snapshot = peru.Snapshot;
        var tileset = TilesetBuilder.Build(snapshot.Departments, snapshot.Provinces, snapshot.Districts, snapshot.Parents, snapshot.LabelPoints, snapshot.Topology, snapshot.Version, options);
        var squares = 0;
        for (var zoom = 0; zoom <= 4; zoom++)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var id in tileset.TileIds.Where(t => t.Z == zoom))
            {
                Assert.True(tileset.TryGetTile(id, out var tile));
                foreach (var feature in TileDecoding.Decode(id, tile.Mvt).Layer("districts"))
                {
                    var code = (string)feature.Attributes["code"];
                    seen.Add(code);
                    var square = TileDecoding.ToTileUnits(feature.Geometry, id, round: true);
                    if (square.Area == 1 && square.EnvelopeInternal is { Width: 1, Height: 1 })
                    {
                        squares++;
                        var unit = TileDecoding.ToTileUnits(snapshot.Districts.ByCode[code].Geometry, id);
                        Assert.True(unit.Intersects(square.Buffer(0.01)), $"z{zoom}: the square of {code} lies outside it");
                    }
                }
            }

            Assert.Equal(snapshot.Districts.Units.Count, seen.Count);
        }

        // Some districts are such a square of their own after rounding; every collapsed one is one.
        Assert.True(tileset.Statistics.CollapsedUnits > 0, "no district collapsed at z0-z4: the rule went untested");
        Assert.True(squares >= tileset.Statistics.CollapsedUnits, $"{squares} unit squares for {tileset.Statistics.CollapsedUnits} collapsed districts");
    }

    [PeruFact]
    public void No_tile_exceeds_500_KB_and_the_build_reports_it()
    {
        var statistics = peru.Tiles.Statistics;
        Assert.True(statistics.LargestTileBytes <= 500 * 1024, $"{statistics.LargestTile}: {statistics.LargestTileBytes} bytes");
        foreach (var id in peru.Tiles.TileIds.Where(t => t.Z > TilesOptions.DefaultPrebuildMaxZoom))
        {
            Assert.True(peru.Tiles.TryGetTile(id, out var tile) && tile.Mvt.Length <= 500 * 1024, $"{id}: more than 500 KB");
        }

        // The statistics describe the tiles built at load (z0 to Tiles:PrebuildMaxZoom); the deeper zooms are built on request.
        Assert.Equal(peru.Tiles.TileIds.Count(t => t.Z <= TilesOptions.DefaultPrebuildMaxZoom), statistics.Tiles);
        Assert.Equal(TilesOptions.DefaultPrebuildMaxZoom + 1, statistics.Zooms.Count);
        Assert.Equal(Enumerable.Range(TilesOptions.DefaultPrebuildMaxZoom + 1, 12 - TilesOptions.DefaultPrebuildMaxZoom), statistics.OnDemandZooms);
        Assert.True(peru.Snapshot.Report.TimingsMs.ContainsKey("tiles"));
    }
}
