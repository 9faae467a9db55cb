using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetTopologySuite.IO.Esri;
using TileServer.Core.Dataset;
using TileServer.Core.Ingest;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Ingest;

/// <summary>
/// Issue 18, one table per defect: each case makes its mutant from the embedded sample here, loads it as the server
/// does (<see cref="DatasetLoader"/>), and expects one line naming the right file, the record or line, and the rule.
/// The fuzzing findings (tests/TileServer.Fuzz) are cases of their own, rebuilt from the sample the same way.
/// </summary>
public class BadInputFileTests
{
    /// <summary>A mutant and what its load must say: the file at fault (by extension), the words, the fault kind.</summary>
    public sealed record Case(string Name, Action<SampleMutant> Mutate, string File, string[] Says, DataFileFault Fault = DataFileFault.Invalid, Action<DatasetOptions>? Configure = null)
    {
        public override string ToString() => Name;
    }

    private const string UtmPrj = "PROJCS[\"WGS_1984_UTM_Zone_18S\",GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\",10000000.0],PARAMETER[\"Central_Meridian\",-75.0],PARAMETER[\"Scale_Factor\",0.9996],PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]";

    // 1. Runaway reads: every count checked against the bytes that remain; limits end in a clean error.
    public static readonly TheoryData<Case> RunawayReads =
    [
        new("numParts one too many", m => m.Patch(".shp", b => Add(b, m.ShpContent(1) + 36, 1)), ".shp", ["record 1", "parts", "need"]),
        new("numPoints 1e8", m => m.Patch(".shp", b => Set(b, m.ShpContent(1) + 40, 100_000_000)), ".shp", ["record 1", "100,000,000 points"]),
        new("numParts int.MaxValue", m => m.Patch(".shp", b => Set(b, m.ShpContent(1) + 36, int.MaxValue)), ".shp", ["record 1", "2,147,483,647 parts"]),
        new("negative numPoints", m => m.Patch(".shp", b => Set(b, m.ShpContent(2) + 40, -5)), ".shp", ["record 2", "negative"]),
        new("content length -2", m => m.Patch(".shp", b => BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(m.ShpContent(1) - 4), -1)), ".shp", ["record 1", "content length -2"]),
        new("truncated with a patched header length", m =>
        {
            var cut = m.Bytes(".shp")[..(m.ShpContent(150) + 20)];
            BinaryPrimitives.WriteInt32BigEndian(cut.AsSpan(24), cut.Length / 2);
            m.Write(".shp", cut);
        }, ".shp", ["record 150", "does not fit"]),
        new("truncated without patching the header", m => m.Write(".shp", m.Bytes(".shp")[..^100]), ".shp", ["truncated", "header declares"]),
        new("part starts past the points", m => m.Patch(".shp", b => Set(b, m.ShpContent(1) + 44, 7)), ".shp", ["record 1", "first part starts at point 7"]),
        new("1 MB quoted name in the .prj", m => File.WriteAllText(m.Part(".prj"), $"GEOGCS[\"{new string('x', 1 << 20)}\"]"), ".prj", ["16,384"]),
        new("a district over Dataset:MaxVerticesPerUnit", _ => { }, ".shp", ["record ", "vertices, over Dataset:MaxVerticesPerUnit (5)"], Configure: o => o.MaxVerticesPerUnit = 5),
        new("a file over Dataset:MaxFileBytes", _ => { }, ".shp", ["over Dataset:MaxFileBytes (10,000 bytes)"], Configure: o => o.MaxFileBytes = 10_000),
        new("a GeoJSON MultiPolygon of many triangles over Dataset:MaxVerticesPerUnit", m => m.WriteGeoJson(features =>
        {
            var triangles = new JsonArray();
            for (var i = 0; i < 100; i++)
            {
                triangles.Add(JsonNode.Parse($"[[[{-75 + (i * 0.01)},-10],[{-75 + (i * 0.01)},-9.99],[{-74.995 + (i * 0.01)},-10],[{-75 + (i * 0.01)},-10]]]"));
            }

            features[0]!["geometry"] = new JsonObject { ["type"] = "MultiPolygon", ["coordinates"] = triangles };
        }), ".geojson", ["feature 1", "over Dataset:MaxVerticesPerUnit"], Configure: o => o.MaxVerticesPerUnit = 300),
    ];

    // 2. Silently wrong results: counts must agree, zero districts fail, deleted records warn, values are checked.
    public static readonly TheoryData<Case> SilentlyWrongResults =
    [
        new(".dbf with 297 of 300 records", m =>
        {
            var dbf = m.Bytes(".dbf")[..m.DbfRecord(298)];
            BinaryPrimitives.WriteUInt32LittleEndian(dbf.AsSpan(4), 297);
            m.Write(".dbf", dbf);
        }, ".dbf", ["297 records", "districts.shp has 300 shapes"]),
        new(".dbf record count 0", m => m.Patch(".dbf", b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), 0)), ".dbf", ["0 records", "300 shapes"]),
        new(".dbf missing its last record", m => m.Write(".dbf", m.Bytes(".dbf")[..m.DbfRecord(300)]), ".dbf", ["truncated", "300 records", "holds 299"]),
        new("empty .shx", m => m.Write(".shx", []), ".shx", ["empty"]),
        new("random .shx", m => m.Patch(".shx", b => new Random(18).NextBytes(b.AsSpan(100))), ".shx", ["record 1", "the index says"]),
        new(".shx with 299 of 300 records", m =>
        {
            var shx = m.Bytes(".shx")[..^8];
            BinaryPrimitives.WriteInt32BigEndian(shx.AsSpan(24), shx.Length / 2);
            m.Write(".shx", shx);
        }, ".shx", ["299 records", "districts.shp has 300"]),
        new("every shape null", m => m.Patch(".shp", b =>
        {
            for (var r = 1; r <= 300; r++)
            {
                Set(b, m.ShpContent(r), 0);
            }
        }), ".shp", ["no districts", "300 without a geometry"]),
        new("every record deleted", m => m.Patch(".dbf", b =>
        {
            for (var r = 1; r <= 300; r++)
            {
                b[m.DbfRecord(r)] = (byte)'*';
            }
        }), ".shp", ["no districts", "300 deleted"]),
        new("every GeoJSON geometry null", m => m.WriteGeoJson(features =>
        {
            foreach (var feature in features)
            {
                feature!["geometry"] = null;
            }
        }), ".geojson", ["no districts", "300 features"]),
        new("a NaN vertex", m => m.Patch(".shp", b => BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(FirstPoint(m, b, 1)), double.NaN)), ".shp", ["record 1", "vertex 1", "NaN", "finite"]),
        new("an infinite vertex", m => m.Patch(".shp", b => BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(FirstPoint(m, b, 3) + 8), double.NegativeInfinity)), ".shp", ["record 3", "vertex 1", "finite"]),
        new("invalid UTF-8 in .dbf text", m => m.Patch(".dbf", b => b[m.DbfField(2, "NOMBDIST") + 2] = 0xD3), ".dbf", ["record 2, field NOMBDIST", "not valid utf-8", "districts.cpg"]),
        new("'***' in a numeric .dbf field", m => m.Patch(".dbf", b =>
        {
            // UBIGEO made numeric (type N): the codes read as numbers, then record 4 holds dBASE's overflow mark.
            var at = 32 + 11;
            b[at] = (byte)'N';
            "******"u8.ToArray().CopyTo(b, m.DbfField(4, "UBIGEO"));
        }), ".dbf", ["record 4, field UBIGEO", "'******' is not a number"]),
        new("a deletion flag that is neither ' ' nor '*'", m => m.Patch(".dbf", b => b[m.DbfRecord(7)] = (byte)'X'), ".dbf", ["record 7", "misaligned"]),
        new("NaN in poblacion", m => m.SetCsvCell(3, "poblacion", "NaN"), ".csv", ["line 3", "'poblacion'", "'NaN'"]),
        new("Infinity in poblacion", m => m.SetCsvCell(5, "poblacion", "Infinity"), ".csv", ["line 5", "'Infinity'"]),
        new("1e999 in poblacion", m => m.SetCsvCell(4, "poblacion", "1e999"), ".csv", ["line 4", "'1e999'"]),
        new("\"16,852\" in poblacion", m => m.SetCsvCell(3, "poblacion", "\"16,852\""), ".csv", ["line 3", "'16,852'"]),
        new("0x10 in poblacion", m => m.SetCsvCell(6, "poblacion", "0x10"), ".csv", ["line 6", "'0x10'"]),
        new("NaN in idh, a column not configured numeric", m => m.SetCsvCell(9, "idh", "NaN"), ".csv", ["line 9", "'idh' holds numbers", "'NaN'"]),
        new("text in a configured rate column", m => m.EditCsv((n, line) => n == 1 ? line : ReplaceCell(line, 5, $"n/a{n}")), ".csv", ["line 2", "'pobreza_pct' is configured as numeric", "'n/a2'"]),
        new("1e308 in poblacion overflows the sums", m => m.SetCsvCell(3, "poblacion", "1e308"), ".csv", ["line 3", "overflows"]),
    ];

    // 3. One line, the right file, the record or line: errors that used to name nothing, or print pages.
    public static readonly TheoryData<Case> OneLineRightFile =
    [
        new("projected metres without a .prj", m =>
        {
            m.Delete(".prj");
            m.Patch(".shp", b => ScalePoints(m, b, 111_320, 110_540));
        }, ".shp", ["record 1", "looks like projected metres: is the .prj missing?"]),
        new("a .prj that does not fit the data (degrees read as UTM)", m => File.WriteAllText(m.Part(".prj"), UtmPrj), ".prj", ["does not fit", "districts.shp", "record 1", "longitude/latitude degrees"]),
        new("GeoJSON in metres", m => m.WriteGeoJson(features => features[0]!["geometry"] = Ring("[[500000,8700000],[500000,8710000],[510000,8710000],[500000,8700000]]")), ".geojson", ["feature 1", "RFC 7946"]),
        new("an unclosed GeoJSON ring", m => m.WriteGeoJson(features => features[1]!["geometry"] = Ring("[[-75,-10],[-75,-9],[-74,-9],[-74,-10]]")), ".geojson", ["feature 2, ring 1", "not closed"]),
        new("a 2-point GeoJSON ring", m => m.WriteGeoJson(features => features[2]!["geometry"] = Ring("[[-75,-10],[-75,-9]]")), ".geojson", ["feature 3, ring 1", "2 positions"]),
        new("an unknown GeoJSON geometry type", m => m.WriteGeoJson(features => features[0]!["geometry"]!["type"] = "Blob"), ".geojson", ["feature 1", "unknown geometry type 'Blob'"]),
        new("invalid UTF-8 in GeoJSON", m =>
        {
            m.WriteGeoJson(_ => { });
            var bytes = File.ReadAllBytes(m.Part(".geojson"));
            var at = Encoding.UTF8.GetString(bytes).IndexOf("\"NOMBDIST\"", StringComparison.Ordinal) + 13;
            bytes[at] = 0xD3;
            File.WriteAllBytes(m.Part(".geojson"), bytes);
        }, ".geojson", ["line 1", "not valid UTF-8"]),
        new("a Krovak .prj missing its parameters", m => File.WriteAllText(m.Part(".prj"), "PROJCS[\"Krovak\",GEOGCS[\"GCS_S_JTSK\",DATUM[\"D_S_JTSK\",SPHEROID[\"Bessel_1841\",6377397.155,299.1528128]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Krovak\"],PARAMETER[\"false_easting\",0],UNIT[\"metre\",1]]"), ".prj", ["cannot transform from Krovak to WGS 84"]),
        new("an LCC .prj missing its parameters", m => File.WriteAllText(m.Part(".prj"), "PROJCS[\"LCC\",GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Lambert_Conformal_Conic\"],PARAMETER[\"False_Easting\",0.0],UNIT[\"Meter\",1.0]]"), ".prj", ["cannot transform from LCC to WGS 84"]),
        new("a 50 MB CSV field", m => m.EditCsv((n, line) => n == 1 ? $"\"{new string('x', 50_000_000)}\"," + line[(line.IndexOf(',', StringComparison.Ordinal) + 1)..] : line), ".csv", ["not a readable CSV", "maximum supported length"]),
        new("a CSV row with a cell too many", m => m.EditCsv((n, line) => n == 3 ? line + ",1" : line), ".csv", ["line 3", "10 cells, but the header has 9"]),
        new("an unbalanced quote in the CSV header", m => m.EditCsv((n, line) => n == 1 ? "\"" + line : line), ".csv", ["line 1", "unclosed quote"]),
        new("an unknown key field (a .dbf problem)", _ => { }, ".dbf", ["key field 'CODIGO' not found"], Configure: o => o.DistrictKey = "CODIGO"),
        new("a missing .shx", m => m.Delete(".shx"), ".shx", ["missing"], DataFileFault.NotFound),
        new("a missing .dbf", m => m.Delete(".dbf"), ".dbf", ["missing"], DataFileFault.NotFound),
        new("a missing CSV", m => File.Delete(m.Csv), ".csv", ["not found"], DataFileFault.NotFound),
    ];

    // Fuzzing findings (tests/TileServer.Fuzz), each rebuilt from the sample's own .prj or layer.
    public static readonly TheoryData<Case> FuzzingFindings =
    [
        new("ProjNET hang: an unclosed quote in the .prj", m => File.WriteAllText(m.Part(".prj"), File.ReadAllText(m.Part(".prj"))[..^27]), ".prj", ["no closing quote"]),
        new("ProjNET hang: its tokenizer out of step with the quotes", m => File.WriteAllText(m.Part(".prj"), File.ReadAllText(m.Part(".prj")).Replace("UNIT[\"Degree\",0.0174532925199433]", "UNIT[\"Degre-\",0.017453292519,433]", StringComparison.Ordinal)), ".prj", ["projection WKT"]),
        new("ProjNET stack overflow: a non-finite angular unit", m => File.WriteAllText(m.Part(".prj"), UtmPrj.Replace("0.0174532925199433", "0.0174E199433", StringComparison.Ordinal)), ".prj", ["unusable angular unit"]),
        new("ProjNET 'No convergence': a vertex far outside a UTM zone without false northing", m =>
        {
            File.WriteAllText(m.Part(".prj"), UtmPrj.Replace("PARAMETER[\"False_Northing\",10000000.0],", string.Empty, StringComparison.Ordinal));
            m.Patch(".shp", b =>
            {
                var first = FirstPoint(m, b, 1);
                var last = first + (16 * (BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(m.ShpContent(1) + 40)) - 1));
                foreach (var at in new[] { first, last })
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(at), 190965.0814269358);
                    BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(at + 8), 1.6525720161269795e+40);
                }
            });
        }, ".prj", ["does not fit", "record 1", "a vertex (190965.081, 1.65257202E+40)", "cannot transform (No convergence)"]),
        new("System.Text.Json: invalid UTF-8 inside a GeoJSON string", m =>
        {
            m.WriteGeoJson(features => features[4]!["properties"]!["NOMBDIST"] = "ASUNCIÓN");
            var bytes = File.ReadAllBytes(m.Part(".geojson"));
            var at = Encoding.UTF8.GetString(bytes).IndexOf("ASUNCI", StringComparison.Ordinal) + 6;
            bytes[at] = 0xFF;
            File.WriteAllBytes(m.Part(".geojson"), bytes);
        }, ".geojson", ["not valid UTF-8"]),
    ];

    [Theory]
    [MemberData(nameof(RunawayReads))]
    public void Runaway_reads_end_in_one_line_naming_the_file_record_and_limit(Case c) => Check(c, TimeSpan.FromSeconds(20));

    [Theory]
    [MemberData(nameof(SilentlyWrongResults))]
    public void Silently_wrong_results_are_load_errors(Case c) => Check(c, TimeSpan.FromSeconds(60));

    [Theory]
    [MemberData(nameof(OneLineRightFile))]
    public void Every_load_failure_is_one_line_naming_the_right_file(Case c) => Check(c, TimeSpan.FromSeconds(60));

    [Theory]
    [MemberData(nameof(FuzzingFindings))]
    public void Fuzzing_findings_stay_fixed(Case c) => Check(c, TimeSpan.FromSeconds(20));

    [Fact]
    public void Deleted_dbf_records_are_left_out_and_listed_in_the_warnings()
    {
        using var m = new SampleMutant();
        m.Patch(".dbf", b =>
        {
            b[m.DbfRecord(5)] = (byte)'*';
            b[m.DbfRecord(120)] = (byte)'*';
        });
        var ubigeo5 = Encoding.ASCII.GetString(m.Bytes(".dbf"), m.DbfField(5, "UBIGEO"), 6);

        var snapshot = DatasetLoader.Load(m.Options());

        Assert.Equal(298, snapshot.Report.Ingest.Records);
        Assert.Null(snapshot.Districts.Find(ubigeo5));
        var deleted = snapshot.Report.Ingest.Warnings.Where(w => w.Contains("marked deleted", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, deleted.Length);
        Assert.StartsWith($"{m.Part(".dbf")}: record 5 (UBIGEO={ubigeo5}", deleted[0], StringComparison.Ordinal);
        Assert.Contains("record 120", deleted[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlinked_shapefile_loads_like_the_files_it_points_to()
    {
        using var m = new SampleMutant();
        using var links = new TempFolder();
        foreach (var file in Directory.GetFiles(m.Folder))
        {
            File.CreateSymbolicLink(links.File(Path.GetFileName(file)), file);
        }

        var snapshot = DatasetLoader.Load(new DatasetOptions { Districts = links.File("districts.shp"), Estimates = links.File("estimates.csv") });

        Assert.Equal(300, snapshot.Districts.Units.Count);
    }

    [Fact]
    public void A_random_byte_flip_anywhere_in_the_shapefile_loads_or_fails_in_one_line()
    {
        var random = new Random(1818);
        for (var round = 0; round < 40; round++)
        {
            using var m = new SampleMutant();
            var part = new[] { ".shp", ".shx", ".dbf" }[round % 3];
            m.Patch(part, b =>
            {
                for (var flips = 0; flips < 4; flips++)
                {
                    b[random.Next(b.Length)] ^= (byte)(1 << random.Next(8));
                }
            });
            try
            {
                DatasetLoader.Load(m.Options());
            }
            catch (DataFileException e)
            {
                AssertOneLine(e);
                Assert.StartsWith(m.Folder, e.FilePath, StringComparison.Ordinal);
            }
        }
    }

    [PeruFact]
    public void Perus_utm_layer_without_its_prj_says_projected_metres()
    {
        using var temp = new TempFolder();
        foreach (var ext in new[] { ".shp", ".shx", ".dbf", ".cpg" })
        {
            File.Copy(PeruData.File("districts_utm18s" + ext), temp.File("utm" + ext));
        }

        var e = Assert.Throws<DataFileException>(() => PolygonLayerReader.Read(temp.File("utm.shp")));

        AssertOneLine(e);
        Assert.Equal(temp.File("utm.shp"), e.FilePath);
        Assert.Contains("record 1:", e.Message, StringComparison.Ordinal);
        Assert.Contains("looks like projected metres: is the .prj missing?", e.Message, StringComparison.Ordinal);
    }

    [PeruFact]
    public void A_load_over_Dataset_LoadTimeoutSeconds_fails_naming_the_limit_and_where_it_stopped()
    {
        var options = new DatasetOptions
        {
            Districts = PeruData.File("districts.shp"),
            Estimates = PeruData.File("poverty.csv"),
            LoadTimeoutSeconds = 1,
        };

        var e = Assert.Throws<DataFileException>(() => DatasetLoader.Load(options, new TileServer.Core.Tiles.TilesOptions()));

        AssertOneLine(e);
        Assert.Contains("Dataset:LoadTimeoutSeconds (1 s)", e.Message, StringComparison.Ordinal);
        Assert.Contains("stopped while", e.Message, StringComparison.Ordinal);
    }

    private static void Check(Case c, TimeSpan within)
    {
        using var m = new SampleMutant();
        c.Mutate(m);
        var options = m.Options(c.Configure);
        if (File.Exists(m.Part(".geojson")))
        {
            options.Districts = m.Part(".geojson");
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<DataFileException>(() => DatasetLoader.Load(options));

        Assert.True(clock.Elapsed < within, $"{c.Name}: took {clock.Elapsed}");
        AssertOneLine(e);
        var expected = c.File == ".csv" ? m.Csv : m.Part(c.File);
        Assert.Equal(expected, e.FilePath);
        Assert.StartsWith(expected + ": ", e.Message, StringComparison.Ordinal);
        foreach (var words in c.Says)
        {
            Assert.True(e.Message.Contains(words, StringComparison.Ordinal), $"'{words}' not in: {e.Message}");
        }

        Assert.Equal(c.Fault, e.Fault);
    }

    private static void AssertOneLine(DataFileException e)
    {
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
        Assert.True(e.Message.Length <= DataFileException.MaxMessageLength, $"{e.Message.Length} characters");
    }

    private static void Set(byte[] bytes, int at, int value) => BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), value);

    private static void Add(byte[] bytes, int at, int delta) => Set(bytes, at, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at)) + delta);

    /// <summary>Offset of the first point of record <paramref name="record"/>: after the 44-byte box and counts and the part starts.</summary>
    private static int FirstPoint(SampleMutant m, byte[] shp, int record)
    {
        var content = m.ShpContent(record);
        return content + 44 + (4 * BinaryPrimitives.ReadInt32LittleEndian(shp.AsSpan(content + 36)));
    }

    private static void ScalePoints(SampleMutant m, byte[] shp, double sx, double sy)
    {
        for (var r = 1; r <= m.RecordCount; r++)
        {
            var content = m.ShpContent(r);
            var points = BinaryPrimitives.ReadInt32LittleEndian(shp.AsSpan(content + 40));
            var first = FirstPoint(m, shp, r);
            for (var p = 0; p < points; p++)
            {
                var at = first + (16 * p);
                BinaryPrimitives.WriteDoubleLittleEndian(shp.AsSpan(at), BinaryPrimitives.ReadDoubleLittleEndian(shp.AsSpan(at)) * sx);
                BinaryPrimitives.WriteDoubleLittleEndian(shp.AsSpan(at + 8), BinaryPrimitives.ReadDoubleLittleEndian(shp.AsSpan(at + 8)) * sy);
            }
        }
    }

    private static JsonNode Ring(string positions) => JsonNode.Parse($"{{\"type\":\"Polygon\",\"coordinates\":[{positions}]}}")!;

    private static string ReplaceCell(string line, int index, string value)
    {
        var cells = line.Split(',');
        cells[index] = value;
        return string.Join(',', cells);
    }
}

/// <summary>GeoJSON mutants: the sample's districts as a FeatureCollection, written by the reference shapefile reader.</summary>
internal static class SampleGeoJson
{
    private static readonly JsonSerializerOptions GeoJson = new() { Converters = { new NetTopologySuite.IO.Converters.GeoJsonConverterFactory() } };

    /// <summary>Writes <c>districts.geojson</c> from the sample (read with NetTopologySuite.IO.Esri.Shapefile), edited by <paramref name="edit"/>.</summary>
    public static void WriteGeoJson(this SampleMutant m, Action<JsonArray> edit)
    {
        var features = new JsonArray();
        foreach (var feature in Shapefile.ReadAllFeatures(m.Shp))
        {
            var properties = new JsonObject();
            foreach (var name in feature.Attributes.GetNames())
            {
                properties[name] = JsonValue.Create(feature.Attributes[name]?.ToString());
            }

            features.Add(new JsonObject
            {
                ["type"] = "Feature",
                ["properties"] = properties,
                ["geometry"] = JsonSerializer.SerializeToNode(feature.Geometry, GeoJson),
            });
        }

        edit(features);
        var collection = new JsonObject { ["type"] = "FeatureCollection", ["features"] = features };
        File.WriteAllText(m.Part(".geojson"), collection.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), new UTF8Encoding(false));
    }
}
