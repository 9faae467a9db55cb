using System.Text;
using TileServer.Core.Dataset;
using TileServer.Core.Ingest;
using TileServer.Core.Join;
using TileServer.Core.Model;
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
    /// <summary>A GeoJSON file of boxes with the given properties, written by hand (no writer shared with the reader).</summary>
    private static string WriteGeoJson(string folder, params (string Properties, int MinX)[] features)
    {
        var path = Path.Combine(folder, "districts.geojson");
        var items = features.Select(f =>
            $$$"""{"type":"Feature","properties":{{{{f.Properties}}}},"geometry":{"type":"Polygon","coordinates":[[[{{{f.MinX}}},-13],[{{{f.MinX + 1}}},-13],[{{{f.MinX + 1}}},-12],[{{{f.MinX}}},-12],[{{{f.MinX}}},-13]]]}}""");
        File.WriteAllText(path, $$"""{"type":"FeatureCollection","features":[{{string.Join(",", items)}}]}""", new UTF8Encoding(false));
        return path;
    }

    private static (AdminLayer Districts, JoinReport Report) JoinWithFourSquaresCsv(string folder, string districts, DatasetOptions? options = null) =>
        DistrictJoiner.Join(PolygonLayerReader.Read(districts), EstimatesCsvReader.Read(SmallLayers.WriteCsv(folder, SmallLayers.FourSquaresCsv)), (options ?? new DatasetOptions()).ToJoinOptions());

    [Fact]
    public void A_district_from_one_record_keeps_its_geometry_as_read_and_is_not_reported_merged()
    {
        using var temp = new TempFolder();
        var shp = SmallLayers.WriteShapefile(temp.Path, SmallLayers.FourSquares());
        var read = PolygonLayerReader.Read(shp);

        var (districts, report) = DistrictJoiner.Join(read, EstimatesCsvReader.Read(SmallLayers.WriteCsv(temp.Path, SmallLayers.FourSquaresCsv)), new DatasetOptions().ToJoinOptions());

        Assert.Empty(report.MergedPolygonCodes);
        foreach (var feature in read.Features)
        {
            var unit = districts.Find((string)feature.Attributes["UBIGEO"]!)!;
            Assert.True(feature.Geometry.EqualsExact(unit.Geometry), $"{unit.Code}: {unit.Geometry} is not the record's {feature.Geometry}");
        }
    }

    [Theory]
    [InlineData(9, false)]
    [InlineData(10, true)]
    public void Records_sharing_a_code_are_held_to_the_vertex_limit_together(int maxVertices, bool fits)
    {
        // Two closed 5-point boxes: 10 vertices for the district, each record alone under any limit of 9.
        using var temp = new TempFolder();
        var squares = SmallLayers.FourSquares();
        var shp = SmallLayers.WriteShapefile(temp.Path, [squares[0], squares[1] with { Code = "010101" }]);

        var join = () => JoinWithFourSquaresCsv(temp.Path, shp, new DatasetOptions { MaxVerticesPerUnit = maxVertices });

        if (fits)
        {
            Assert.Single(join().Districts.Units);
        }
        else
        {
            var e = Assert.Throws<DataFileException>(() => join());
            Assert.Equal(shp, e.FilePath);
            Assert.Contains("district 010101 (record 1, record 2): 10 vertices, over Dataset:MaxVerticesPerUnit (9)", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_shapefile_code_of_the_wrong_length_is_an_error_naming_the_dbf_record()
    {
        using var temp = new TempFolder();
        var squares = SmallLayers.FourSquares();
        var shp = SmallLayers.WriteShapefile(temp.Path, [squares[0], squares[1] with { Code = "0101020" }]);

        var e = Assert.Throws<DataFileException>(() => JoinWithFourSquaresCsv(temp.Path, shp));

        Assert.Equal(Path.ChangeExtension(shp, ".dbf"), e.FilePath);
        Assert.Contains("record 2: district code '0101020' is not 6 characters long", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_geojson_code_of_the_wrong_length_is_an_error_naming_the_feature()
    {
        using var temp = new TempFolder();
        var geojson = WriteGeoJson(temp.Path, ("\"UBIGEO\":\"010101\"", -77), ("\"UBIGEO\":\"01010\"", -76));

        var e = Assert.Throws<DataFileException>(() => JoinWithFourSquaresCsv(temp.Path, geojson, new DatasetOptions { DistrictCodeLength = 5 }));

        Assert.Equal(geojson, e.FilePath);
        Assert.Contains("feature 1: district code '010101' is not 5 characters long", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blank_name_attribute_falls_through_to_the_estimates_name()
    {
        using var temp = new TempFolder();
        var geojson = WriteGeoJson(temp.Path, ("\"UBIGEO\":\"010101\",\"NOMBDIST\":\"   \"", -77));

        var (districts, _) = JoinWithFourSquaresCsv(temp.Path, geojson);

        Assert.Equal("UNO", districts.Find("010101")!.Name);
    }

    [Fact]
    public void A_district_without_a_name_attribute_or_an_estimates_row_is_named_by_its_code()
    {
        using var temp = new TempFolder();
        var geojson = WriteGeoJson(temp.Path, ("\"UBIGEO\":\"019999\"", -77));

        var (districts, report) = JoinWithFourSquaresCsv(temp.Path, geojson);

        Assert.Equal(["019999"], report.UnmatchedPolygons);
        Assert.Equal("019999", districts.Find("019999")!.Name);
    }

    [Fact]
    public void Null_arguments_are_rejected_by_name()
    {
        using var temp = new TempFolder();
        var layer = PolygonLayerReader.Read(SmallLayers.WriteShapefile(temp.Path, SmallLayers.FourSquares()));
        var estimates = EstimatesCsvReader.Read(SmallLayers.WriteCsv(temp.Path, SmallLayers.FourSquaresCsv));
        var options = new DatasetOptions().ToJoinOptions();

        Assert.Equal("layer", Assert.Throws<ArgumentNullException>(() => DistrictJoiner.Join(null!, estimates, options)).ParamName);
        Assert.Equal("estimates", Assert.Throws<ArgumentNullException>(() => DistrictJoiner.Join(layer, null!, options)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => DistrictJoiner.Join(layer, estimates, null!)).ParamName);
    }
    [Fact]
    public void A_matched_district_carries_its_estimates_row_and_only_its_row()
    {
        using var temp = new TempFolder();
        var shp = SmallLayers.WriteShapefile(temp.Path, SmallLayers.FourSquares());

        var (districts, _) = JoinWithFourSquaresCsv(temp.Path, shp);

        // Values as written in FourSquaresCsv, in its column order (departamento, provincia, distrito, poblacion, pobreza_pct).
        Assert.Equal(["AMAZONAS", "CHACHAPOYAS", "DOS", 3000.0, 30.0], districts.Find("010102")!.Values);
        Assert.Equal(["ANCASH", "HUARAZ", "CUATRO", 500.0, null], districts.Find("020101")!.Values);
        Assert.True(districts.Find("010102")!.HasEstimates);
    }
}
