using System.Text;
using NetTopologySuite.Geometries;
using TileServer.Core.Ingest;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Ingest;

public class PolygonLayerReaderTests
{
    [Fact]
    public void Reads_polygons_attributes_and_crs_of_a_small_shapefile()
    {
        using var temp = new TempFolder();
        var shp = SmallLayers.WriteShapefile(temp.Path, SmallLayers.FourSquares());

        var layer = PolygonLayerReader.Read(shp);

        Assert.Equal(4, layer.Features.Count);
        Assert.False(layer.Reprojected);
        Assert.Equal("utf-8", layer.Encoding);
        Assert.Contains("UBIGEO", layer.AttributeNames);
        Assert.Equal("DOS ÑANDÚ", layer.Features[1].Attributes["NOMBDIST"]);
        Assert.Equal(1.0, layer.Features[0].Geometry.Area, 9);
        Assert.Empty(layer.RepairedRecords);
    }

    [Fact]
    public void Missing_prj_means_wgs84_with_a_warning()
    {
        using var temp = new TempFolder();
        var shp = SmallLayers.WriteShapefile(temp.Path, SmallLayers.FourSquares(), prj: null);
        File.Delete(Path.ChangeExtension(shp, ".prj"));

        var layer = PolygonLayerReader.Read(shp);

        Assert.Equal("WGS 84", layer.SourceCrs);
        Assert.Contains(layer.Warnings, w => w.Contains(".prj", StringComparison.Ordinal) && w.Contains("WGS 84", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_cpg_uses_the_configured_default_encoding()
    {
        using var temp = new TempFolder();
        var shp = SmallLayers.WriteShapefile(temp.Path, SmallLayers.FourSquares(), encoding: Encoding.Latin1);
        File.Delete(Path.ChangeExtension(shp, ".cpg"));

        var layer = PolygonLayerReader.Read(shp, new LayerReadOptions { DefaultShapefileEncoding = "ISO-8859-1" });

        Assert.Equal("DOS ÑANDÚ", layer.Features[1].Attributes["NOMBDIST"]);
        Assert.Contains(layer.Warnings, w => w.Contains(".cpg", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_polygons_are_repaired_and_counted_not_dropped()
    {
        using var temp = new TempFolder();
        var bowTie = SmallLayers.Factory.CreatePolygon([new(0, 0), new(2, 2), new(2, 0), new(0, 2), new(0, 0)]);
        var shp = SmallLayers.WriteShapefile(temp.Path, [("010101", "BOWTIE", bowTie), .. SmallLayers.FourSquares().Skip(1)]);

        var layer = PolygonLayerReader.Read(shp);

        Assert.Equal(4, layer.Features.Count);
        Assert.Equal([1], layer.RepairedRecords);
        Assert.True(layer.Features[0].Geometry.IsValid);
        Assert.Equal(2.0, layer.Features[0].Geometry.Area, 9);
    }

    [Fact]
    public void Records_are_repaired_in_parallel_but_reported_in_record_order()
    {
        using var temp = new TempFolder();
        var (a, b, c, d) = (SmallLayers.Box(-77, -13, -76, -12), SmallLayers.Box(-76, -13, -75, -12), SmallLayers.Box(-77, -12, -76, -11), SmallLayers.Box(-76, -12, -75, -11));
        var shp = SmallLayers.WriteShapefile(temp.Path, [("010101", "A", a), ("010102", "BOWTIE", BowTie(-76, -13)), ("010201", "C", c), ("020101", "BOWTIE", BowTie(-77, -12)), ("020102", "D", d), ("020103", "B", b)]);

        var layer = PolygonLayerReader.Read(shp);

        Assert.Equal([2, 4], layer.RepairedRecords);
        Assert.Equal([1, 2, 3, 4, 5, 6], layer.Features.Select(f => f.RecordNumber));
        Assert.All(layer.Features, f => Assert.True(f.Geometry.IsValid));
    }

    [Fact]
    public void A_record_that_fails_its_repair_is_reported_before_a_later_record_that_cannot_be_read()
    {
        using var temp = new TempFolder();
        // Record 2 collapses to nothing when repaired (checked after reading, in parallel); record 3 is not longitude
        // and latitude (found while reading): the first failing record in order is the one named, as one pass gives.
        var flat = SmallLayers.Factory.CreatePolygon([new(-76, -13), new(-75.5, -12.5), new(-75, -12), new(-76, -13)]);
        var shp = SmallLayers.WriteShapefile(temp.Path, [("010101", "A", SmallLayers.Box(-77, -13, -76, -12)), ("010102", "FLAT", flat), ("010201", "FAR", SmallLayers.Box(500, -12, 501, -11))]);

        var error = Assert.Throws<DataFileException>(() => PolygonLayerReader.Read(shp));

        Assert.Contains("record 2 has a polygon that collapses to nothing", error.Message, StringComparison.Ordinal);
    }

    private static Polygon BowTie(double x, double y) =>
        SmallLayers.Factory.CreatePolygon([new(x, y), new(x + 1, y + 1), new(x + 1, y), new(x, y + 1), new(x, y)]);

    [Theory]
    [InlineData(".shx")]
    [InlineData(".dbf")]
    public void Missing_companion_file_is_an_error_naming_it(string extension)
    {
        using var temp = new TempFolder();
        var shp = SmallLayers.WriteShapefile(temp.Path, SmallLayers.FourSquares());
        File.Delete(Path.ChangeExtension(shp, extension));

        var e = Assert.Throws<DataFileException>(() => PolygonLayerReader.Read(shp));

        Assert.EndsWith(extension, e.FilePath, StringComparison.Ordinal);
        Assert.Contains("missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_shp_is_an_error()
    {
        using var temp = new TempFolder();
        var shp = SmallLayers.WriteShapefile(temp.Path, SmallLayers.FourSquares());
        var bytes = File.ReadAllBytes(shp);
        File.WriteAllBytes(shp, bytes[..(bytes.Length - 40)]);

        var e = Assert.Throws<DataFileException>(() => PolygonLayerReader.Read(shp));

        Assert.Equal(shp, e.FilePath);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unparseable_prj_is_an_error_naming_the_prj()
    {
        using var temp = new TempFolder();
        var shp = SmallLayers.WriteShapefile(temp.Path, SmallLayers.FourSquares(), prj: "PROJCS[\"broken\", GEOGCS[");

        var e = Assert.Throws<DataFileException>(() => PolygonLayerReader.Read(shp));

        Assert.EndsWith(".prj", e.FilePath, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("districts.shp")]
    [InlineData("districts.geojson")]
    public void Empty_file_is_an_error(string name)
    {
        using var temp = new TempFolder();
        var path = temp.File(name);
        File.WriteAllBytes(path, []);
        if (name.EndsWith(".shp", StringComparison.Ordinal))
        {
            File.WriteAllBytes(temp.File("districts.shx"), []);
            File.WriteAllBytes(temp.File("districts.dbf"), []);
        }

        var e = Assert.Throws<DataFileException>(() => PolygonLayerReader.Read(path));

        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_an_error_naming_it()
    {
        var e = Assert.Throws<DataFileException>(() => PolygonLayerReader.Read("/nonexistent/districts.shp"));
        Assert.Equal("/nonexistent/districts.shp", e.FilePath);
    }

    [Fact]
    public void Sample_reads_as_the_reference_reader_reads_it() => ReadsAsTheReferenceReader("sample");

    [PeruTheory]
    [InlineData("peru")]
    [InlineData("peru-utm")]
    public void Peru_reads_as_the_reference_reader_reads_it(string layer) => ReadsAsTheReferenceReader(layer);

    /// <summary>Our bounded reader against NetTopologySuite.IO.Esri.Shapefile's on valid files: same attributes, same geometries (the UTM layer's are reprojected, so only its attributes are compared).</summary>
    private static void ReadsAsTheReferenceReader(string layer)
    {
        var shp = layer switch
        {
            "sample" => Path.Combine(SampleMutant.SampleFolder, "districts.shp"),
            "peru" => PeruData.File("districts.shp"),
            _ => PeruData.File("districts_utm18s.shp"),
        };
        var encoding = layer == "peru-utm" ? Encoding.Latin1 : Encoding.UTF8;

        var ours = PolygonLayerReader.Read(shp);
        var reference = NetTopologySuite.IO.Esri.Shapefile.ReadAllFeatures(shp, new NetTopologySuite.IO.Esri.Shapefiles.Readers.ShapefileReaderOptions { Encoding = encoding });

        Assert.Equal(reference.Length, ours.Features.Count);
        for (var i = 0; i < reference.Length; i++)
        {
            var feature = ours.Features[i];
            foreach (var name in reference[i].Attributes.GetNames())
            {
                Assert.Equal(reference[i].Attributes[name], feature.Attributes[name]);
            }

            if (layer != "peru-utm" && !ours.RepairedRecords.Contains(feature.RecordNumber))
            {
                Assert.True(reference[i].Geometry.EqualsExact(feature.Geometry), $"record {feature.RecordNumber} differs from the reference reader's");
            }
        }
    }

    [PeruFact]
    public void Utm_latin1_variant_loads_to_the_same_districts_as_wgs84()
    {
        var wgs = PolygonLayerReader.Read(PeruData.File("districts.shp"));
        var utm = PolygonLayerReader.Read(PeruData.File("districts_utm18s.shp"));

        Assert.True(utm.Reprojected);
        Assert.Equal("iso-8859-1", utm.Encoding);
        Assert.Equal(1891, wgs.Features.Count);
        Assert.Equal(
            wgs.Features.Select(f => f.Attributes["UBIGEO"]),
            utm.Features.Select(f => f.Attributes["UBIGEO"]));
        var worst = 0.0;
        for (var i = 0; i < wgs.Features.Count; i++)
        {
            var a = wgs.Features[i].Geometry.Coordinates;
            var b = utm.Features[i].Geometry.Coordinates;
            Assert.Equal(a.Length, b.Length);
            for (var v = 0; v < a.Length; v++)
            {
                worst = Math.Max(worst, Math.Max(Math.Abs(a[v].X - b[v].X), Math.Abs(a[v].Y - b[v].Y)));
            }
        }

        Assert.True(worst < 1e-6, $"largest vertex difference {worst} degrees");
        var asuncion = utm.Features.Single(f => (string?)f.Attributes["UBIGEO"] == "010102");
        Assert.Equal("ASUNCIÓN", asuncion.Attributes["NOMBDIST"]);
    }

    [PeruFact]
    public void Geojson_2007_layer_loads()
    {
        var layer = PolygonLayerReader.Read(PeruData.File("districts_2007_simplified.geojson"));

        Assert.Contains("IDDIST", layer.AttributeNames);
        Assert.Equal(1834, layer.Features.Count + layer.Warnings.Count(w => w.Contains("no geometry", StringComparison.Ordinal)));
        Assert.Contains(layer.Warnings, w => w.Contains("feature 176", StringComparison.Ordinal) && w.Contains("210103", StringComparison.Ordinal));
        Assert.All(layer.Features, f => Assert.True(f.Geometry is Polygon or MultiPolygon && f.Geometry.IsValid));
    }
}
