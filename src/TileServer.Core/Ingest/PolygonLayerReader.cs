using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.IO.Converters;
using TileServer.Core.Model;

namespace TileServer.Core.Ingest;

/// <summary>
/// Reads a polygon layer from an ESRI shapefile (<see cref="ShpPolygonFile"/>, <see cref="ShxFile"/>,
/// <see cref="DbfTable"/>) or a GeoJSON FeatureCollection (structure checked here, features built by
/// NetTopologySuite.IO.GeoJSON4STJ) into WGS 84 lon/lat, repairing invalid polygons with NTS
/// <see cref="GeometryFixer"/> (counted, never dropped).
/// </summary>
/// <remarks>
/// <para>Shapefiles: the <c>.shp</c>, <c>.shx</c> and <c>.dbf</c> must exist and hold the same number of records, the
/// <c>.shx</c> must index the <c>.shp</c>'s records where they are; the CRS comes from the <c>.prj</c> (reprojected
/// with ProjNET; none means WGS 84, with a warning), the attribute encoding from the <c>.cpg</c> (else
/// <see cref="LayerReadOptions.DefaultShapefileEncoding"/>). Records marked deleted in the <c>.dbf</c>, and records
/// without a geometry, are left out and named in <see cref="SourceLayer.Warnings"/>.</para>
/// <para>Every failure is a <see cref="DataFileException"/> naming the file at fault (the <c>.dbf</c> for attributes,
/// the <c>.prj</c> for coordinates it does not fit) and the record or feature; no other exception escapes for any
/// content of the files (the fuzzing contract, <c>tests/TileServer.Fuzz</c>). Memory is bounded by the files' sizes
/// and <see cref="LoadLimits"/>. A layer without a single polygon is an error.</para>
/// <para>Thread safety: stateless; each call reads its own files. A shapefile's records are read in order and their
/// validity checks run in parallel on <see cref="TaskScheduler.Current"/> (the load's scheduler).</para>
/// </remarks>
public static class PolygonLayerReader
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    /// <summary>Reads <paramref name="path"/> (<c>.shp</c>, <c>.geojson</c> or <c>.json</c>).</summary>
    /// <exception cref="DataFileException">The file, or a file it needs, is missing or unusable.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (checked per record).</exception>
    public static SourceLayer Read(string path, LayerReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new LayerReadOptions();
        var limit = options.Limits.MaxFileBytes;
        switch (Path.GetExtension(path).ToUpperInvariant())
        {
            case ".SHP":
                var bytes = DataFile.ReadAllBytes(path, limit);
                var shx = Companion(path, ".shx");
                var dbf = Companion(path, ".dbf");
                var prj = Companion(path, ".prj");
                var cpg = Companion(path, ".cpg");
                var set = new ShapefileSet(
                    path, bytes,
                    shx, Required(shx, limit),
                    dbf, Required(dbf, limit),
                    prj, Optional(prj, LoadLimits.MaxSidecarBytes),
                    cpg, Optional(cpg, LoadLimits.MaxSidecarBytes));
                return ReadShapefile(set, options, cancellationToken);
            case ".GEOJSON" or ".JSON":
                return ReadGeoJson(path, DataFile.ReadAllBytes(path, limit), options, cancellationToken);
            case var other:
                if (!File.Exists(path))
                {
                    throw new DataFileException(path, "file not found", DataFileFault.NotFound);
                }

                throw new DataFileException(path, $"unsupported layer format '{DataFileException.Excerpt(other)}': expected .shp or .geojson");
        }
    }

    /// <summary>Reads a shapefile whose files are already in memory.</summary>
    /// <exception cref="DataFileException">A file is unusable or the files disagree.</exception>
    public static SourceLayer ReadShapefile(ShapefileSet files, LayerReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        options ??= new LayerReadOptions();
        var shpPath = files.ShpPath;
        var records = ShpPolygonFile.Scan(shpPath, files.Shp.Span);
        ShxFile.Check(files.ShxPath, files.Shx.Span, shpPath, records);

        var warnings = new List<string>();
        var crs = SourceCrs.Wgs84;
        string? crsPath = null;
        if (files.Prj is { } prj)
        {
            crs = SourceCrs.Parse(Text(prj), files.PrjPath);
            crsPath = files.PrjPath;
            if (crs.Warning is not null)
            {
                warnings.Add($"{files.PrjPath}: {crs.Warning}");
            }
        }
        else
        {
            warnings.Add($"{files.PrjPath}: missing; coordinates taken as WGS 84 lon/lat");
        }

        Encoding encoding;
        string encodingSource;
        if (files.Cpg is { } cpg)
        {
            var declared = Text(cpg).Trim();
            encoding = AttributeEncoding.TryResolve(declared)
                ?? throw new DataFileException(files.CpgPath, $"unknown code page '{DataFileException.Excerpt(declared)}'");
            encodingSource = $"the encoding {files.CpgPath} declares";
        }
        else
        {
            encoding = AttributeEncoding.TryResolve(options.DefaultShapefileEncoding)
                ?? throw new DataFileException(shpPath, $"unknown default shapefile encoding '{options.DefaultShapefileEncoding}'");
            encodingSource = "Dataset:DefaultShapefileEncoding, as there is no .cpg";
            warnings.Add($"{files.CpgPath}: missing; attributes decoded as {encoding.WebName}");
        }

        var table = DbfTable.Open(files.DbfPath, files.Dbf, encoding, encodingSource);
        if (table.RecordCount != records.Count)
        {
            throw new DataFileException(files.DbfPath, $"has {table.RecordCount:N0} records but {shpPath} has {records.Count:N0} shapes: the .shp, .shx and .dbf must hold one record per feature");
        }

        // Records are read in order; their validity checks (most of the read's time) then run in parallel, and the
        // outcome is taken in record order: the same features, warnings and first failing record as one pass gives.
        var read = new List<SourceFeature>();
        var deleted = 0;
        ExceptionDispatchInfo? readFailure = null;
        try
        {
            for (var i = 0; i < records.Count; i++)
            {
                var number = i + 1;
                LoadCancellation.ThrowIfCancelled(cancellationToken, shpPath, $"record {number}");
                var attributes = table.ReadRecord(i, out var isDeleted);
                if (isDeleted)
                {
                    deleted++;
                    warnings.Add($"{files.DbfPath}: record {number}{Label(attributes)} is marked deleted and was left out");
                    continue;
                }

                var geometry = ShpPolygonFile.Read(shpPath, files.Shp.Span, records[i], number, Factory, options.Limits);
                if (Polygons(new FeatureSource(shpPath, crsPath, crs, $"record {number}", number), geometry, attributes, warnings) is { } polygons)
                {
                    read.Add(new SourceFeature(number, polygons, attributes));
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            // Reported after the records before it, which may fail their validity check first.
            readFailure = ExceptionDispatchInfo.Capture(e);
        }

        var checkedFeatures = new (SourceFeature Feature, bool Repaired)[read.Count];
        var failures = new ExceptionDispatchInfo?[read.Count];
        Parallel.For(0, read.Count, LoadParallelism.Options, f =>
        {
            try
            {
                checkedFeatures[f] = Valid(shpPath, $"record {read[f].RecordNumber}", read[f]);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failures[f] = ExceptionDispatchInfo.Capture(e);
            }
        });
        cancellationToken.ThrowIfCancellationRequested();
        var features = new List<SourceFeature>(read.Count);
        var repaired = new List<int>();
        for (var f = 0; f < read.Count; f++)
        {
            failures[f]?.Throw();
            features.Add(checkedFeatures[f].Feature);
            if (checkedFeatures[f].Repaired)
            {
                repaired.Add(read[f].RecordNumber);
            }
        }

        readFailure?.Throw();

        if (features.Count == 0)
        {
            throw new DataFileException(shpPath, $"no districts: none of its {records.Count:N0} records has a polygon ({deleted:N0} deleted in the .dbf, {records.Count - deleted:N0} without a geometry)");
        }

        return new SourceLayer
        {
            FilePath = shpPath,
            AttributesPath = files.DbfPath,
            Features = features,
            AttributeNames = [.. table.Fields.Select(f => f.Name)],
            SourceCrs = crs.Name,
            Reprojected = !crs.IsWgs84,
            Encoding = encoding.WebName,
            RepairedRecords = repaired,
            Warnings = warnings,
        };
    }

    /// <summary>Reads a GeoJSON FeatureCollection already in memory (UTF-8, with or without BOM).</summary>
    /// <exception cref="DataFileException">Not a FeatureCollection of polygons, or a feature that cannot be used.</exception>
    public static SourceLayer ReadGeoJson(string path, ReadOnlyMemory<byte> bytes, LayerReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new LayerReadOptions();
        if (bytes.Span.StartsWith(Encoding.UTF8.Preamble))
        {
            bytes = bytes[Encoding.UTF8.Preamble.Length..];
        }

        if (bytes.IsEmpty)
        {
            throw new DataFileException(path, "file is empty");
        }

        // System.Text.Json checks UTF-8 only when a string is read (an InvalidOperationException from deep in the
        // library, found by fuzzing), so the whole text is checked first, as the estimates CSV is.
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
        {
            var valid = bytes.Span;
            var length = 0;
            while (System.Text.Rune.DecodeFromUtf8(valid[length..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                length += consumed;
            }

            throw new DataFileException(path, $"line {1 + valid[..length].Count((byte)'\n')}: bytes that are not valid UTF-8 (GeoJSON is UTF-8, RFC 8259); save the file as UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = GeoJsonShape.MaxDepth });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"line {line + 1}: " : string.Empty;
            throw new DataFileException(path, $"{where}not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !GeoJsonShape.HasType(root, "FeatureCollection")
                || !root.TryGetProperty("features", out var featureArray) || featureArray.ValueKind != JsonValueKind.Array)
            {
                throw new DataFileException(path, "not a GeoJSON FeatureCollection (an object with \"type\": \"FeatureCollection\" and a \"features\" array)");
            }

            var serializerOptions = new JsonSerializerOptions { Converters = { new GeoJsonConverterFactory(Factory) } };
            var names = new List<string>();
            var features = new List<SourceFeature>();
            var repaired = new List<int>();
            var warnings = new List<string>();
            var number = 0;
            foreach (var element in featureArray.EnumerateArray())
            {
                number++;
                var record = $"feature {number}";
                LoadCancellation.ThrowIfCancelled(cancellationToken, path, record);
                GeoJsonShape.CheckFeature(path, element, record, options.Limits);
                IFeature? feature;
                try
                {
                    feature = element.Deserialize<IFeature>(serializerOptions);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // The structure was checked above; whatever the library still rejects is this feature's fault.
                    throw new DataFileException(path, $"{record}: cannot read it ({e.Message})", e);
                }

                var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var name in feature?.Attributes?.GetNames() ?? [])
                {
                    attributes[name] = feature!.Attributes[name];
                    if (!names.Contains(name))
                    {
                        names.Add(name);
                    }
                }

                AddFeature(new FeatureSource(path, null, SourceCrs.Wgs84, record, number), feature?.Geometry, attributes, features, repaired, warnings);
            }

            if (features.Count == 0)
            {
                throw new DataFileException(path, $"no districts: none of its {number:N0} features has a polygon");
            }

            return new SourceLayer
            {
                FilePath = path,
                AttributesPath = path,
                Features = features,
                AttributeNames = names,
                SourceCrs = SourceCrs.Wgs84.Name,
                Reprojected = false,
                Encoding = "utf-8",
                RepairedRecords = repaired,
                Warnings = warnings,
            };
        }
    }

    /// <summary>Where a record comes from, for messages and for the CRS checks.</summary>
    private sealed record FeatureSource(string DataPath, string? CrsPath, SourceCrs Crs, string Record, int Number);

    /// <summary>Adds one record (<see cref="Polygons"/>, then <see cref="Valid"/>).</summary>
    private static void AddFeature(
        FeatureSource source, Geometry? geometry, IReadOnlyDictionary<string, object?> attributes, List<SourceFeature> features, List<int> repaired, List<string> warnings)
    {
        if (Polygons(source, geometry, attributes, warnings) is { } polygons)
        {
            var (feature, isRepaired) = Valid(source.DataPath, source.Record, new SourceFeature(source.Number, polygons, attributes));
            features.Add(feature);
            if (isRepaired)
            {
                repaired.Add(source.Number);
            }
        }
    }

    /// <summary>
    /// A record's polygons in WGS 84, or null for a record with no geometry (real layers have them: a district whose
    /// limits were never drawn), which cannot be a polygon: it is left out and named in a warning, so that it shows in
    /// the report, never silently.
    /// </summary>
    private static Geometry? Polygons(FeatureSource source, Geometry? geometry, IReadOnlyDictionary<string, object?> attributes, List<string> warnings)
    {
        if (geometry is null || geometry.IsEmpty)
        {
            warnings.Add($"{source.DataPath}: {source.Record}{Label(attributes)} has no geometry and was left out");
            return null;
        }

        if (geometry is not (Polygon or MultiPolygon))
        {
            throw new DataFileException(source.DataPath, $"{source.Record} is a {geometry.GeometryType}; a district layer must be polygons");
        }

        source.Crs.ToWgs84(geometry, source.DataPath, source.CrsPath, source.Record);
        return geometry;
    }

    /// <summary>The feature as it is when valid, else repaired (NTS <see cref="GeometryFixer"/>); touches nothing shared.</summary>
    private static (SourceFeature Feature, bool Repaired) Valid(string dataPath, string record, SourceFeature feature)
    {
        if (feature.Geometry.IsValid)
        {
            return (feature, false);
        }

        var geometry = Polygonal(GeometryFixer.Fix(feature.Geometry));
        if (geometry.IsEmpty)
        {
            throw new DataFileException(dataPath, $"{record} has a polygon that collapses to nothing when repaired (zero area)");
        }

        return (feature with { Geometry = geometry }, true);
    }

    private static string Label(IReadOnlyDictionary<string, object?> attributes) =>
        attributes.Count == 0 ? string.Empty
            : $" ({string.Join(", ", attributes.Take(3).Select(a => $"{a.Key}={DataFileException.Excerpt(Convert.ToString(a.Value, System.Globalization.CultureInfo.InvariantCulture))}"))})";

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

    /// <summary>A side-car file beside <paramref name="shpPath"/>, with the extension in the case the files use (<c>.shx</c> or <c>.SHX</c>).</summary>
    private static string Companion(string shpPath, string extension)
    {
        var lower = Path.ChangeExtension(shpPath, extension);
        if (File.Exists(lower))
        {
            return lower;
        }

        var upper = Path.ChangeExtension(shpPath, extension.ToUpperInvariant());
        return File.Exists(upper) ? upper : lower;
    }

    private static byte[] Required(string path, long maxBytes)
    {
        if (!File.Exists(path))
        {
            throw new DataFileException(path, "missing: a shapefile needs its .shp, .shx and .dbf side by side", DataFileFault.NotFound);
        }

        return DataFile.ReadAllBytes(path, maxBytes);
    }

    /// <summary>The file's bytes, or null when it is absent.</summary>
    /// <remarks>Spelled out: in <c>c ? bytes : null</c> the null converts to an empty <see cref="ReadOnlyMemory{T}"/>, a present, empty file.</remarks>
    private static ReadOnlyMemory<byte>? Optional(string path, long maxBytes)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        return DataFile.ReadAllBytes(path, maxBytes, "the limit for a .prj or .cpg");
    }

    /// <summary>A <c>.prj</c> or <c>.cpg</c> as text, without a BOM: ASCII in practice; other bytes are kept as replacement characters, only names can hold them.</summary>
    private static string Text(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        return Encoding.UTF8.GetString(span.StartsWith(Encoding.UTF8.Preamble) ? span[Encoding.UTF8.Preamble.Length..] : span);
    }
}
