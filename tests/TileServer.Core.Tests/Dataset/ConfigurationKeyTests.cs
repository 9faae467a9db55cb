using System.Text;
using TileServer.Core.Dataset;
using TileServer.Core.Ingest;
using TileServer.Core.Tests.Support;
using TileServer.Core.Tests.Tiles;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Dataset;

/// <summary>
/// Each README configuration key of the <c>Dataset</c> and <c>Tiles</c> sections at a value other than its default,
/// with the effect the README gives it, on the four hand-made squares (<see cref="SmallLayers.FourSquares"/>: codes
/// 010101, 010102, 010201, 020101; CSV populations 1000, 3000, -, 500 and poverty 10, 30, 50, -).
/// </summary>
public sealed class ConfigurationKeyTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private DatasetSnapshot Load(Action<DatasetOptions> configure, string? csv = null, TilesOptions? tiles = null, Encoding? csvEncoding = null)
    {
        var districts = SmallLayers.WriteShapefile(_temp.Path, SmallLayers.FourSquares());
        var estimates = Path.Combine(_temp.Path, "estimates.csv");
        File.WriteAllText(estimates, csv ?? SmallLayers.FourSquaresCsv, csvEncoding ?? new UTF8Encoding(false));
        var options = new DatasetOptions { Districts = districts, Estimates = estimates };
        configure(options);
        return DatasetLoader.Load(options, tiles);
    }

    private static double Value(DatasetSnapshot snapshot, string level, string code, string column)
    {
        var layer = level switch { "department" => snapshot.Departments, "province" => snapshot.Provinces, _ => snapshot.Districts };
        var index = layer.Columns.Select(c => c.Name).ToList().IndexOf(column);
        return (double)layer.Find(code)!.Values[index]!;
    }

    [Fact]
    public void EstimatesKey_names_the_code_column_of_the_csv()
    {
        var snapshot = Load(o => o.EstimatesKey = "codigo", SmallLayers.FourSquaresCsv.Replace("ubigeo,", "codigo,", StringComparison.Ordinal));

        Assert.Equal(4, snapshot.Report.Join.Matched);
        Assert.Equal(3000, Value(snapshot, "district", "010102", "poblacion"));
    }

    [Fact]
    public void Province_and_department_code_lengths_set_the_prefixes_of_the_levels()
    {
        var snapshot = Load(o => (o.ProvinceCodeLength, o.DepartmentCodeLength) = (3, 1));

        Assert.Equal(["010", "020"], snapshot.Provinces.Units.Select(u => u.Code));
        Assert.Equal(["0"], snapshot.Departments.Units.Select(u => u.Code));
        Assert.Equal(1000 + 3000, Value(snapshot, "province", "010", "poblacion"));
    }

    [Fact]
    public void DistrictCodeLength_pads_short_numeric_codes()
    {
        // The CSV's 20101 is 020101 at length 6 (default, matched) and 0020101 at length 7, where the layer's codes
        // are 7 characters too after padding.
        var snapshot = Load(o => o.DistrictCodeLength = 7);

        Assert.Equal(["0010101", "0010102", "0010201", "0020101"], snapshot.Districts.Units.Select(u => u.Code).Order(StringComparer.Ordinal));
        Assert.Equal(4, snapshot.Report.Join.Matched);
    }

    [Fact]
    public void Name_fields_are_looked_up_in_the_order_given()
    {
        var byCsv = Load(o => (o.DistrictNameFields, o.ProvinceNameFields, o.DepartmentNameFields) = ("distrito", "provincia", "departamento"));
        var byDefault = Load(_ => { });

        Assert.Equal("DOS", byCsv.Districts.Find("010102")!.Name);
        Assert.Equal("DOS ÑANDÚ", byDefault.Districts.Find("010102")!.Name);
        Assert.Equal("CHACHAPOYAS", byCsv.Provinces.Find("0101")!.Name);
        Assert.Equal("ANCASH", byCsv.Departments.Find("02")!.Name);
    }

    [Fact]
    public void ExtensiveColumns_are_summed_and_every_other_number_is_a_population_weighted_rate()
    {
        var summed = Load(o => o.ExtensiveColumns = "poblacion,pobreza_pct");
        var weighted = Load(_ => { });

        // Department 01: poverty 10, 30, 50 with populations 1000, 3000 and none.
        Assert.Equal(10 + 30 + 50, Value(summed, "department", "01", "pobreza_pct"));
        Assert.Equal(((10 * 1000) + (30 * 3000)) / 4000.0, Value(weighted, "department", "01", "pobreza_pct"), 12);
    }

    [Fact]
    public void DerivedCounts_name_the_counts_derived_from_a_percentage()
    {
        var snapshot = Load(o => o.DerivedCounts = "pobres_estimados=pobreza_pct");

        var result = snapshot.Aggregator.AggregateBox(-77, -13, -75, -12);
        var derived = Assert.Single(result.DerivedCounts);
        Assert.Equal("pobres_estimados", derived.Name);
        Assert.Equal((0.10 * 1000) + (0.30 * 3000), derived.Value!.Value, 6);
    }

    [Fact]
    public void EstimatesEncoding_decodes_the_csv_and_bytes_invalid_in_it_are_an_error_naming_the_line()
    {
        var latin1 = Encoding.Latin1;
        var csv = SmallLayers.FourSquaresCsv.Replace("UNO", "PEÑA", StringComparison.Ordinal);

        var decoded = Load(o => (o.EstimatesEncoding, o.DistrictNameFields) = ("ISO-8859-1", "distrito"), csv, csvEncoding: latin1);
        var error = Assert.Throws<DataFileException>(() => Load(_ => { }, csv, csvEncoding: latin1));

        Assert.Equal("PEÑA", decoded.Districts.Find("010101")!.Name);
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tiles_keys_set_the_extent_the_layers_their_zooms_and_the_attributes()
    {
        var snapshot = Load(_ => { }, tiles: new TilesOptions
        {
            MaxZoom = 6,
            Extent = 512,
            Labels = false,
            Attributes = false,
            Departments = { Enabled = false },
            Provinces = { MinZoom = 1, MaxZoom = 2 },
            Districts = { MinZoom = 4 },
        });
        var tiles = (Tileset)snapshot.Tiles!;

        Assert.Equal(6, tiles.Info.MaxZoom);
        Assert.Equal(["provinces", "districts"], tiles.Info.VectorLayers.Select(l => l.Id));
        foreach (var id in tiles.TileIds)
        {
            Assert.True(tiles.TryGetTile(id, out var tile));
            var layers = TileDecoding.Decode(id, tile.Mvt);
            Assert.Equal(id.Z is >= 1 and <= 2, layers.ContainsKey("provinces"));
            Assert.Equal(id.Z >= 4, layers.ContainsKey("districts"));
            Assert.False(layers.ContainsKey("labels") || layers.ContainsKey("departments"));
            Assert.All(layers.Values.SelectMany(f => f), f => Assert.Empty(f.Attributes.GetNames()));
        }

        Assert.DoesNotContain(tiles.TileIds, id => id.Z == 0 || id.Z == 3);
        var z6 = tiles.TileIds.First(id => id.Z == 6);
        Assert.True(tiles.TryGetTile(z6, out var z6Tile));
        var coordinates = TileDecoding.Decode(z6, z6Tile.Mvt)["districts"].SelectMany(f => TileDecoding.ToTileUnits(f.Geometry, z6, extent: 512, round: true).Coordinates);
        Assert.All(coordinates, c => Assert.InRange(c.X, -64, 512 + 64));
    }
}
