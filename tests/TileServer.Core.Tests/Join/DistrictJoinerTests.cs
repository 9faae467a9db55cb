using TileServer.Core.Dataset;
using TileServer.Core.Ingest;
using TileServer.Core.Join;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Join;

public class DistrictJoinerTests
{
    [Fact]
    public void Joins_by_normalised_code_and_reports_both_sides()
    {
        using var temp = new TempFolder();
        var shp = SmallLayers.WriteShapefile(temp.Path, SmallLayers.FourSquares().Take(3));
        var csv = SmallLayers.WriteCsv(temp.Path, SmallLayers.FourSquaresCsv.Replace("010102,", "019999,", StringComparison.Ordinal));
        var options = new DatasetOptions { Districts = shp, Estimates = csv };

        var (districts, report) = DistrictJoiner.Join(PolygonLayerReader.Read(shp), EstimatesCsvReader.Read(csv), options.ToJoinOptions());

        Assert.Equal(3, report.Polygons);
        Assert.Equal(2, report.Matched);
        Assert.Equal(["010102"], report.UnmatchedPolygons);
        Assert.Equal(["019999", "020101"], report.UnmatchedRows);
        Assert.Equal(1, report.MissingValues["poblacion"]);
        var unmatched = districts.Find("010102")!;
        Assert.False(unmatched.HasEstimates);
        Assert.All(unmatched.Values, Assert.Null);
        Assert.Equal("DOS ÑANDÚ", unmatched.Name);
        Assert.Equal("0101", unmatched.ProvinceCode);
        Assert.Equal("01", unmatched.DepartmentCode);
    }

    [Fact]
    public void Records_sharing_a_code_are_merged_and_reported()
    {
        using var temp = new TempFolder();
        var squares = SmallLayers.FourSquares();
        var shp = SmallLayers.WriteShapefile(temp.Path, [squares[0], squares[1] with { Code = "010101" }]);
        var csv = SmallLayers.WriteCsv(temp.Path, SmallLayers.FourSquaresCsv);

        var (districts, report) = DistrictJoiner.Join(PolygonLayerReader.Read(shp), EstimatesCsvReader.Read(csv), new DatasetOptions { Districts = shp, Estimates = csv }.ToJoinOptions());

        Assert.Equal(["010101"], report.MergedPolygonCodes);
        Assert.Single(districts.Units);
        Assert.Equal(2.0, districts.Units[0].Geometry.Area, 9);
    }

    [Fact]
    public void Unknown_key_field_is_an_error_listing_the_fields()
    {
        using var temp = new TempFolder();
        var shp = SmallLayers.WriteShapefile(temp.Path, SmallLayers.FourSquares());
        var csv = SmallLayers.WriteCsv(temp.Path, SmallLayers.FourSquaresCsv);

        var e = Assert.Throws<DataFileException>(() => DistrictJoiner.Join(
            PolygonLayerReader.Read(shp), EstimatesCsvReader.Read(csv), new DatasetOptions { DistrictKey = "CODIGO" }.ToJoinOptions()));

        Assert.Contains("key field 'CODIGO' not found", e.Message, StringComparison.Ordinal);
        Assert.Contains("UBIGEO", e.Message, StringComparison.Ordinal);
    }

    [PeruFact]
    public void Peru_join_report_is_exact()
    {
        var options = new DatasetOptions { Districts = PeruData.File("districts.shp"), Estimates = PeruData.File("poverty.csv") };

        var (districts, report) = DistrictJoiner.Join(PolygonLayerReader.Read(options.Districts), EstimatesCsvReader.Read(options.Estimates), options.ToJoinOptions());

        Assert.Equal(1891, report.Polygons);
        Assert.Equal(1893, report.EstimateRows);
        Assert.Equal(1889, report.Matched);
        Assert.Equal(["130112", "180107"], report.UnmatchedPolygons);
        Assert.Equal(["150144", "160109", "160114", "NA"], report.UnmatchedRows);
        Assert.Equal(23, report.MissingValues["poblacion"]);
        Assert.Equal(19, report.MissingValues["pobreza_pct"]);
        Assert.Equal(1891, districts.Units.Count);
    }

    [PeruFact]
    public void Peru_2007_geojson_joins_with_key_field_IDDIST()
    {
        var options = new DatasetOptions
        {
            Districts = PeruData.File("districts_2007_simplified.geojson"),
            Estimates = PeruData.File("poverty.csv"),
            DistrictKey = "IDDIST",
        };

        var (_, report) = DistrictJoiner.Join(PolygonLayerReader.Read(options.Districts), EstimatesCsvReader.Read(options.Estimates), options.ToJoinOptions());

        Assert.True(report.Matched > 1700, $"{report.Matched} matched");
        Assert.Equal(report.Polygons, report.Matched + report.UnmatchedPolygons.Count);
    }
}
