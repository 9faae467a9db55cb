using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.IO.Converters;
using NetTopologySuite.IO.Esri;
using NetTopologySuite.IO.Esri.Shapefiles.Readers;

namespace TileServer.Core.Ingest;

/// <summary>
/// Reads a polygon layer from an ESRI shapefile (NetTopologySuite.IO.Esri.Shapefile) or a GeoJSON
/// FeatureCollection (NetTopologySuite.IO.GeoJSON4STJ) into WGS 84 lon/lat, repairing invalid polygons with NTS
/// <see cref="GeometryFixer"/> (counted, never dropped).
/// </summary>
/// <remarks>
/// Shapefiles: the CRS comes from the <c>.prj</c> (reprojected with ProjNET; none means WGS 84, with a warning),
/// the attribute encoding from the <c>.cpg</c> (else <see cref="LayerReadOptions.DefaultShapefileEncoding"/>).
/// The <c>.shx</c> and <c>.dbf</c> must exist, and the <c>.shp</c> must be as long as its header says: the
/// library reads a truncated file without complaint, so that is checked here.
/// Thread safety: stateless; each call reads its own files.
/// </remarks>
public static class PolygonLayerReader
{
    private const int ShpHeaderLength = 100;
    private const int ShpFileCode = 9994;

    /// <summary>Reads <paramref name="path"/> (<c>.shp</c>, <c>.geojson</c> or <c>.json</c>).</summary>
    /// <exception cref="DataFileException">The file, or a file it needs, is missing or unusable.</exception>
    public static SourceLayer Read(string path, LayerReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new LayerReadOptions();
        if (!File.Exists(path))
        {
            throw new DataFileException(path, "file not found");
        }

        return Path.GetExtension(path).ToUpperInvariant() switch
        {
            ".SHP" => ReadShapefile(path, options),
            ".GEOJSON" or ".JSON" => ReadGeoJson(path),
            var other => throw new DataFileException(path, $"unsupported layer format '{other}': expected .shp or .geojson"),
        };
    }

    private static SourceLayer ReadShapefile(string shpPath, LayerReadOptions options)
    {
        var shxPath = Path.ChangeExtension(shpPath, ".shx");
        var dbfPath = Path.ChangeExtension(shpPath, ".dbf");
        var prjPath = Path.ChangeExtension(shpPath, ".prj");
        var cpgPath = Path.ChangeExtension(shpPath, ".cpg");
        foreach (var companion in new[] { shxPath, dbfPath })
        {
            if (!File.Exists(companion))
            {
                throw new DataFileException(companion, "missing: a shapefile needs its .shp, .shx and .dbf side by side");
            }
        }

        CheckShpHeader(shpPath);
        var warnings = new List<string>();

        var crs = SourceCrs.Wgs84;
        if (File.Exists(prjPath))
        {
            crs = SourceCrs.Parse(ReadText(prjPath), prjPath);
            if (crs.Warning is not null)
            {
                warnings.Add($"{prjPath}: {crs.Warning}");
            }
        }
        else
        {
            warnings.Add($"{prjPath}: missing; coordinates taken as WGS 84 lon/lat");
        }

        Encoding encoding;
        if (File.Exists(cpgPath))
        {
            var declared = ReadText(cpgPath).Trim();
            encoding = AttributeEncoding.TryResolve(declared)
                ?? throw new DataFileException(cpgPath, $"unknown code page '{declared}'");
        }
        else
        {
            encoding = AttributeEncoding.TryResolve(options.DefaultShapefileEncoding)
                ?? throw new DataFileException(shpPath, $"unknown default shapefile encoding '{options.DefaultShapefileEncoding}'");
            warnings.Add($"{cpgPath}: missing; attributes decoded as {encoding.WebName}");
        }

        var features = new List<SourceFeature>();
        var repaired = new List<int>();
        string[] attributeNames;
        try
        {
            using var reader = Shapefile.OpenRead(shpPath, new ShapefileReaderOptions
            {
                Encoding = encoding,
                GeometryBuilderMode = GeometryBuilderMode.IgnoreInvalidShapes,
            });
            if (reader.ShapeType is not (ShapeType.Polygon or ShapeType.PolygonM or ShapeType.PolygonZM))
            {
                throw new DataFileException(shpPath, $"shape type is {reader.ShapeType}; a district layer must be polygons");
            }

            attributeNames = reader.Fields.Select(f => f.Name).ToArray();
            var record = 0;
            while (reader.Read(out var deleted, out Feature feature))
            {
                record++;
                if (deleted)
                {
                    continue;
                }

                AddFeature(features, record, feature.Geometry, feature.Attributes, crs, shpPath, repaired, warnings);
            }

            if (record != reader.RecordCount)
            {
                throw new DataFileException(shpPath, $"has {record} shapes but its .dbf has {reader.RecordCount} records");
            }
        }
        catch (DataFileException)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or FormatException
            or EndOfStreamException or NotSupportedException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new DataFileException(shpPath, $"cannot read the shapefile ({e.Message})", e);
        }

        return new SourceLayer
        {
            FilePath = shpPath,
            Features = features,
            AttributeNames = attributeNames,
            SourceCrs = crs.Name,
            Reprojected = !crs.IsWgs84,
            Encoding = encoding.WebName,
            RepairedRecords = repaired,
            Warnings = warnings,
        };
    }

    private static SourceLayer ReadGeoJson(string path)
    {
        var serializerOptions = new JsonSerializerOptions { Converters = { new GeoJsonConverterFactory() } };
        FeatureCollection? collection;
        try
        {
            using var stream = File.OpenRead(path);
            if (stream.Length == 0)
            {
                throw new DataFileException(path, "file is empty");
            }

            collection = JsonSerializer.Deserialize<FeatureCollection>(stream, serializerOptions);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}" : string.Empty;
            throw new DataFileException(path, $"not a GeoJSON FeatureCollection{where} ({e.Message})", e);
        }

        if (collection is null)
        {
            throw new DataFileException(path, "not a GeoJSON FeatureCollection");
        }

        var names = new List<string>();
        var features = new List<SourceFeature>();
        var repaired = new List<int>();
        var warnings = new List<string>();
        for (var i = 0; i < collection.Count; i++)
        {
            var feature = collection[i];
            foreach (var name in feature.Attributes?.GetNames() ?? [])
            {
                if (!names.Contains(name))
                {
                    names.Add(name);
                }
            }

            AddFeature(features, i + 1, feature.Geometry, feature.Attributes, SourceCrs.Wgs84, path, repaired, warnings);
        }

        return new SourceLayer
        {
            FilePath = path,
            Features = features,
            AttributeNames = names,
            SourceCrs = SourceCrs.Wgs84.Name,
            Reprojected = false,
            Encoding = "utf-8",
            RepairedRecords = repaired,
            Warnings = warnings,
        };
    }

    /// <summary>
    /// Adds one record. A record with no geometry (real layers have them: a district whose limits were never drawn)
    /// cannot be a polygon; it is left out and named in a warning, so that it shows in the report, never silently.
    /// </summary>
    private static void AddFeature(
        List<SourceFeature> features, int record, Geometry? geometry, IAttributesTable? attributes, SourceCrs crs, string path, List<int> repaired, List<string> warnings)
    {
        if (geometry is null || geometry.IsEmpty)
        {
            var label = attributes is null ? string.Empty : $" ({string.Join(", ", attributes.GetNames().Take(3).Select(n => $"{n}={attributes[n]}"))})";
            warnings.Add($"{path}: record {record}{label} has no geometry and was left out");
            return;
        }

        if (geometry is not (Polygon or MultiPolygon))
        {
            throw new DataFileException(path, $"record {record} is a {geometry.GeometryType}; a district layer must be polygons");
        }

        crs.ToWgs84(geometry);
        if (!geometry.IsValid)
        {
            geometry = Polygonal(GeometryFixer.Fix(geometry));
            repaired.Add(record);
            if (geometry.IsEmpty)
            {
                throw new DataFileException(path, $"record {record} has a polygon that collapses to nothing when repaired");
            }
        }

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var name in attributes?.GetNames() ?? [])
        {
            values[name] = attributes![name];
        }

        features.Add(new SourceFeature(record, geometry, values));
    }

    private static Geometry Polygonal(Geometry geometry)
    {
        if (geometry is Polygon or MultiPolygon)
        {
            return geometry;
        }

        var polygons = new List<Polygon>();
        for (var i = 0; i < geometry.NumGeometries; i++)
        {
            if (geometry.GetGeometryN(i) is Polygon p && !p.IsEmpty)
            {
                polygons.Add(p);
            }
        }

        return polygons.Count == 1 ? polygons[0] : geometry.Factory.CreateMultiPolygon([.. polygons]);
    }

    private static void CheckShpHeader(string shpPath)
    {
        var length = new FileInfo(shpPath).Length;
        if (length == 0)
        {
            throw new DataFileException(shpPath, "file is empty");
        }

        if (length < ShpHeaderLength)
        {
            throw new DataFileException(shpPath, $"truncated: {length} bytes, shorter than the 100-byte shapefile header");
        }

        Span<byte> header = stackalloc byte[ShpHeaderLength];
        using (var stream = File.OpenRead(shpPath))
        {
            stream.ReadExactly(header);
        }

        if (BinaryPrimitives.ReadInt32BigEndian(header) != ShpFileCode)
        {
            throw new DataFileException(shpPath, "not a shapefile (wrong file code in the header)");
        }

        var declared = BinaryPrimitives.ReadInt32BigEndian(header[24..]) * 2L;
        if (declared > length)
        {
            throw new DataFileException(shpPath, $"truncated: the header declares {declared} bytes but the file has {length}");
        }
    }

    private static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(path, $"cannot read ({e.Message})", e);
        }
    }
}
