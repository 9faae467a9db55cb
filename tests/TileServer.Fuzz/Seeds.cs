using System.Buffers.Binary;
using System.Text.Json;
using NetTopologySuite.Features;
using NetTopologySuite.IO.Converters;
using TileServer.Core.Ingest;

namespace TileServer.Fuzz;

/// <summary>
/// Writes the seed corpora at run time, from the embedded sample (<c>geodata/sample</c>) and, when given, the Peru
/// files beside the repository: nothing derived from real data is ever stored in the repository. Seeds are kept
/// small (a few records each), since AFL++ mutates small inputs far faster.
/// </summary>
internal static class Seeds
{
    /// <summary>Projections ProjNET must parse, written here (not taken from any data set): LCC, Krovak, Transverse Mercator.</summary>
    private static readonly string[] HandWrittenPrj =
    [
        "PROJCS[\"LCC\",GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Lambert_Conformal_Conic\"],PARAMETER[\"False_Easting\",0.0],PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",-75.0],PARAMETER[\"Standard_Parallel_1\",-5.0],PARAMETER[\"Standard_Parallel_2\",-15.0],PARAMETER[\"Latitude_Of_Origin\",-10.0],UNIT[\"Meter\",1.0]]",
        "PROJCS[\"Krovak\",GEOGCS[\"GCS_S_JTSK\",DATUM[\"D_S_JTSK\",SPHEROID[\"Bessel_1841\",6377397.155,299.1528128],TOWGS84[570.8,85.7,462.8,4.998,1.587,5.261,3.56]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Krovak\"],PARAMETER[\"latitude_of_center\",49.5],PARAMETER[\"longitude_of_center\",24.83333333333333],PARAMETER[\"azimuth\",30.28813975277778],PARAMETER[\"pseudo_standard_parallel_1\",78.5],PARAMETER[\"scale_factor\",0.9999],PARAMETER[\"false_easting\",0],PARAMETER[\"false_northing\",0],UNIT[\"metre\",1]]",
        "PROJCS[\"WGS_1984_UTM_Zone_18S\",GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\",10000000.0],PARAMETER[\"Central_Meridian\",-75.0],PARAMETER[\"Scale_Factor\",0.9996],PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]",
    ];

    /// <summary>Aggregation bodies, written here: each GeoJSON type, a bow tie to repair, a ring across the antimeridian, a lone surrogate.</summary>
    private static readonly string[] HandWrittenQueries =
    [
        """{"type":"Polygon","coordinates":[[[-74,-10],[-73.9,-10],[-73.9,-9.9],[-74,-9.9],[-74,-10]]]}""",
        """{"type":"MultiPolygon","coordinates":[[[[-74,-10],[-73,-10],[-73,-9],[-74,-10]]],[[[-72,-10],[-71,-10],[-71,-9],[-72,-10]]]]}""",
        """{"type":"Feature","id":"a","properties":{"n":1},"geometry":{"type":"Polygon","coordinates":[[[-74,-10],[-73,-9],[-73,-10],[-74,-9],[-74,-10]]]}}""",
        """{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[170,-20],[-170,-20],[-170,10],[170,10],[170,-20]]]}}]}""",
        """{"type":"Feature","id":"\ud800","geometry":{"type":"Polygon","coordinates":[[[-74,-10],[-73,-10],[-73,-9],[-74,-10]]]}}""",
    ];

    /// <summary>Filters, written here, in CQL2 text and CQL2 JSON.</summary>
    private static readonly string[] HandWrittenFilters =
    [
        "poblacion > 1000 AND nombre LIKE 'LIM%'",
        "S_INTERSECTS(geometry, POLYGON((-77 -12, -76 -12, -76 -11, -77 -12))) OR NOT (pobreza_pct BETWEEN 10 AND 20)",
        "codigo IN ('150101', '150102')",
        """{"op":"and","args":[{"op":">","args":[{"property":"poblacion"},1000]},{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[-77,-12,-76,-11]}]}]}""",
    ];

    /// <summary>
    /// Lookup batches in JSON, written here: both row shapes, ids of each kind, rows with errors, a member to skip, a
    /// lone surrogate in an id, a number split by a segment boundary. The first byte is the target's control byte
    /// (<see cref="RequestTargets"/>): segments of 1, 3, 7 and 16 bytes.
    /// </summary>
    private static readonly (byte Control, string Body)[] HandWrittenJsonBatches =
    [
        (0, """{"points":[[-74,-10],[-73.95,-9.95]]}"""),
        (2, """{"meta":{"a":[1,{"b":null}]},"points":[{"id":"a","lon":-74,"lat":-10},{"id":7,"lat":-9.5,"lon":-73.5},{"lon":-74}]}"""),
        (6, """{"points":[[-74,"x"],[1e400,-10],[-74,-10,5],{"id":[1],"lon":-74,"lat":-10},null]}"""),
        (15, """{"points":[{"id":"\ud800","lon":-74,"lat":-10},{"id":"\u00d1and\u00fa","lon":-74.0000000001,"lat":-10}]}"""),
    ];

    /// <summary>
    /// Lookup batches in CSV, written here: quoted fields, a field across lines, CRLF, a BOM, a Latin-1 name. The
    /// control byte's bits 4-5 pick the charset (0 UTF-8, 1 ISO-8859-1), its low bits the segment size.
    /// </summary>
    private static readonly (byte Control, byte[] Body)[] HandWrittenCsvBatches =
    [
        (0, Utf8.Bytes("id,lat,lon\na,-10,-74\nb,-9.95,-73.95\n")),
        (5, Utf8.Bytes("\"name\",\"LAT\",\"Lon\"\r\n\"a, \"\"quoted\"\"\",-10,-74\r\n\"two\nlines\",-9.9,-73.9\r\n,x,\n")),
        (0x13, [.. "nombre,lat,lon\n"u8, 0xD1, .. "and\u00fa,-10,-74\n"u8]),
        (15, [0xEF, 0xBB, 0xBF, .. "lon,lat\n-74,-10\n-74,-91\n"u8]),
    ];

    /// <summary>Query strings of the OGC <c>items</c> route, written here (the sample's queryables and each standard parameter).</summary>
    private static readonly string[] HandWrittenParams =
    [
        "limit=5&offset=2&sortby=-poblacion,name&properties=code,name,poblacion",
        "bbox=-75,-11,-73,-9&bbox-crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FOGC%2F1.3%2FCRS84&datetime=2020-01-01T00:00:00Z%2F..",
        "bbox=170,-20,-170,10,0,100&crs=http://www.opengis.net/def/crs/EPSG/0/4326&skipGeometry=true",
        "filter=poblacion%20%3E%201000%20AND%20name%20LIKE%20%27A%25%27&filter-lang=cql2-text&geometry=source",
        "filter=%7B%22op%22%3A%22s_intersects%22%2C%22args%22%3A%5B%7B%22property%22%3A%22geometry%22%7D%2C%7B%22bbox%22%3A%5B-75%2C-11%2C-73%2C-9%5D%7D%5D%7D&filter-lang=cql2-json",
        "department=01&has_estimates=true&f=json&datetime=2020-01-01",
        "name=%C3%91and%C3%BA&filter=name%20%3D%20%27%F0%9F%98%80%27&sortby=%2Bname",
        "name=%ED%A0%80&limit=1",
    ];

    public static int Write(string directory, string sample, string? peru)
    {
        foreach (var target in Targets.All)
        {
            Directory.CreateDirectory(Path.Combine(directory, target));
        }

        var count = 0;
        void Save(string target, string name, byte[] bytes)
        {
            File.WriteAllBytes(Path.Combine(directory, target, name), bytes);
            count++;
        }

        for (var i = 0; i < HandWrittenQueries.Length; i++)
        {
            Save("query", $"hand-{i}", System.Text.Encoding.UTF8.GetBytes(HandWrittenQueries[i]));
        }

        for (var i = 0; i < HandWrittenFilters.Length; i++)
        {
            Save("cql2", $"hand-{i}", System.Text.Encoding.UTF8.GetBytes(HandWrittenFilters[i]));
        }

        for (var i = 0; i < HandWrittenJsonBatches.Length; i++)
        {
            Save("batch-json", $"hand-{i}", [HandWrittenJsonBatches[i].Control, .. Utf8.Bytes(HandWrittenJsonBatches[i].Body)]);
        }

        for (var i = 0; i < HandWrittenCsvBatches.Length; i++)
        {
            Save("batch-csv", $"hand-{i}", [HandWrittenCsvBatches[i].Control, .. HandWrittenCsvBatches[i].Body]);
        }

        for (var i = 0; i < HandWrittenParams.Length; i++)
        {
            Save("params", $"hand-{i}", Utf8.Bytes(HandWrittenParams[i]));
        }

        var sources = new List<(string Name, string Shp)> { ("sample", Path.Combine(sample, "districts.shp")) };
        if (peru is not null && Directory.Exists(peru))
        {
            sources.Add(("peru", Path.Combine(peru, "districts.shp")));
            sources.Add(("peru-utm", Path.Combine(peru, "districts_utm18s.shp")));
        }

        foreach (var (name, shp) in sources)
        {
            var files = new ShapefileFiles(shp);
            foreach (var records in new[] { 1, 3 })
            {
                var (s, x, d) = files.FirstRecords(records);
                Save("shapefile", $"{name}-{records}", ShapefileContainer.Pack(s, x, d, files.Prj, files.Cpg));
            }

            var (s1, x1, d1) = files.FirstRecords(2);
            Save("shapefile", $"{name}-2-no-prj-cpg", ShapefileContainer.Pack(s1, x1, d1, null, null));
            if (files.Prj is not null)
            {
                Save("prj", name, files.Prj);
            }

            var layer = PolygonLayerReader.Read(shp);
            var collection = new FeatureCollection();
            foreach (var feature in layer.Features.Take(2))
            {
                collection.Add(new Feature(feature.Geometry, new AttributesTable(feature.Attributes.Select(a => new KeyValuePair<string, object>(a.Key, a.Value!)))));
            }

            Save("geojson", name, JsonSerializer.SerializeToUtf8Bytes(collection, new JsonSerializerOptions { Converters = { new GeoJsonConverterFactory() } }));
        }

        for (var i = 0; i < HandWrittenPrj.Length; i++)
        {
            Save("prj", $"handwritten-{i}", Utf8.Bytes(HandWrittenPrj[i]));
        }

        var csvs = new List<(string Name, string Path)> { ("sample", Path.Combine(sample, "estimates.csv")) };
        if (peru is not null && Directory.Exists(peru))
        {
            csvs.Add(("peru", Path.Combine(peru, "poverty.csv")));
        }

        foreach (var (name, csv) in csvs)
        {
            var lines = File.ReadAllLines(csv);
            Save("csv", name, Utf8.Bytes(string.Join('\n', lines.Take(6)) + "\n"));
        }

        Console.WriteLine($"{count} seeds in {directory}");
        return 0;
    }

    /// <summary>A shapefile's bytes, cut to its first records (header lengths and counts rewritten).</summary>
    private sealed class ShapefileFiles(string shp)
    {
        private readonly byte[] _shp = File.ReadAllBytes(shp);
        private readonly byte[] _shx = File.ReadAllBytes(Path.ChangeExtension(shp, ".shx"));
        private readonly byte[] _dbf = File.ReadAllBytes(Path.ChangeExtension(shp, ".dbf"));

        public byte[]? Prj { get; } = File.Exists(Path.ChangeExtension(shp, ".prj")) ? File.ReadAllBytes(Path.ChangeExtension(shp, ".prj")) : null;

        public byte[]? Cpg { get; } = File.Exists(Path.ChangeExtension(shp, ".cpg")) ? File.ReadAllBytes(Path.ChangeExtension(shp, ".cpg")) : null;

        public (byte[] Shp, byte[] Shx, byte[] Dbf) FirstRecords(int records)
        {
            var shxLength = 100 + (8 * records);
            var shx = _shx[..shxLength];
            var lastOffset = BinaryPrimitives.ReadInt32BigEndian(shx.AsSpan(shxLength - 8)) * 2;
            var lastLength = BinaryPrimitives.ReadInt32BigEndian(shx.AsSpan(shxLength - 4)) * 2;
            var shp = _shp[..(lastOffset + 8 + lastLength)];
            BinaryPrimitives.WriteInt32BigEndian(shp.AsSpan(24), shp.Length / 2);
            BinaryPrimitives.WriteInt32BigEndian(shx.AsSpan(24), shx.Length / 2);
            int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(_dbf.AsSpan(8));
            int recordLength = BinaryPrimitives.ReadUInt16LittleEndian(_dbf.AsSpan(10));
            var dbf = _dbf[..(headerLength + (records * recordLength))];
            BinaryPrimitives.WriteUInt32LittleEndian(dbf.AsSpan(4), (uint)records);
            return (shp, shx, dbf);
        }
    }
}
