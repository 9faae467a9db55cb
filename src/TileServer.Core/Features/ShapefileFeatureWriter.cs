using System.IO.Compression;
using System.Text;
using NetTopologySuite.IO.Esri;
using NetTopologySuite.IO.Esri.Dbf.Fields;
using NetTopologySuite.IO.Esri.Shapefiles.Writers;

namespace TileServer.Core.Features;

/// <summary>
/// Writes features as a zipped ESRI Shapefile: <c>{id}.shp</c>, <c>.shx</c>, <c>.dbf</c> (UTF-8, one typed field per
/// property), <c>.prj</c> (the output CRS's WKT), <c>.cpg</c> (<c>UTF-8</c>) and <c>{id}_fields.csv</c>, which maps the
/// DBF's 10-character field names back to the property names and titles. Geometry and DBF by
/// NetTopologySuite.IO.Esri.Shapefile; the archive by <see cref="ZipArchive"/>.
/// </summary>
/// <remarks>
/// DBF field names are at most 10 characters: the long fixed names have set abbreviations, others are cut to 10 and
/// made unique with a numeric suffix. Text fields are as wide as their longest value (at most 254 bytes); numbers are
/// <c>N(19, 8)</c> (integers <c>N(18, 0)</c>); booleans <c>L</c>. Thread safety: stateless.
/// </remarks>
public static class ShapefileFeatureWriter
{
    private static readonly Dictionary<string, string> Abbreviations = new(StringComparer.Ordinal)
    {
        ["province_name"] = "prov_name",
        ["department_name"] = "dept_name",
        ["has_estimates"] = "has_estim",
        ["dataset_version"] = "version",
    };

    /// <summary>Writes the zip archive of <paramref name="features"/> to <paramref name="output"/> (synchronously: give it a buffer or file).</summary>
    public static void Write(Stream output, FeatureQuery query, IReadOnlyList<int> features)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(features);
        var set = query.Set;
        var names = FieldNames(set);
        var fields = new DbfField[set.Properties.Count];
        for (var p = 0; p < fields.Length; p++)
        {
            var index = p;
            fields[p] = set.Properties[p].Type switch
            {
                FeaturePropertyType.String => new DbfCharacterField(names[p], Math.Clamp(features.Select(f => Encoding.UTF8.GetByteCount(set.Value(index, f) as string ?? "")).DefaultIfEmpty(1).Max(), 1, 254)),
                FeaturePropertyType.Integer => new DbfNumericInt64Field(names[p]),
                FeaturePropertyType.Boolean => new DbfLogicalField(names[p]),
                _ => new DbfNumericDoubleField(names[p], 19, 8),
            };
        }

        var options = new ShapefileWriterOptions(ShapeType.Polygon, fields) { Encoding = Encoding.UTF8, Projection = query.Crs.Wkt };
        using var shp = new MemoryStream();
        using var shx = new MemoryStream();
        using var dbf = new MemoryStream();
        using var prj = new MemoryStream();
        var mapper = FeatureOutput.Mapper(query.Crs);
        using (var writer = new ShapefilePolygonWriter(shp, shx, dbf, prj, options))
        {
            foreach (var feature in features)
            {
                for (var p = 0; p < fields.Length; p++)
                {
                    writer.Fields[names[p]].Value = set.Value(p, feature) switch
                    {
                        double d when set.Properties[p].Type == FeaturePropertyType.Integer => (long)d,
                        var value => value,
                    };
                }

                writer.Geometry = FeatureOutput.InCrs(query.SourceGeometry ? set.SourceGeometry(feature) : set.Geometry(feature), query.Crs, mapper, true);
                writer.Write();
            }
        }

        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        Add(zip, set.Id + ".shp", shp.ToArray());
        Add(zip, set.Id + ".shx", shx.ToArray());
        Add(zip, set.Id + ".dbf", dbf.ToArray());
        Add(zip, set.Id + ".prj", prj.ToArray());
        Add(zip, set.Id + ".cpg", "UTF-8"u8.ToArray());
        var mapping = new StringBuilder("field,property,title\n");
        for (var p = 0; p < names.Length; p++)
        {
            mapping.Append(names[p]).Append(',').Append(set.Properties[p].Name).Append(",\"")
                .Append(set.Properties[p].Title.Replace("\"", "\"\"", StringComparison.Ordinal)).Append("\"\n");
        }

        Add(zip, set.Id + "_fields.csv", Encoding.UTF8.GetBytes(mapping.ToString()));
    }

    /// <summary>The DBF field name of each property: at most 10 characters, unique (case-insensitively, as DBF readers compare).</summary>
    public static string[] FieldNames(FeatureSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var names = new string[set.Properties.Count];
        for (var p = 0; p < names.Length; p++)
        {
            var name = set.Properties[p].Name;
            var candidate = Abbreviations.GetValueOrDefault(name) ?? (name.Length <= 10 ? name : name[..10]);
            for (var n = 1; !taken.Add(candidate); n++)
            {
                var suffix = "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                candidate = (name.Length + suffix.Length <= 10 ? name : name[..(10 - suffix.Length)]) + suffix;
            }

            names[p] = candidate;
        }

        return names;
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        using var stream = entry.Open();
        stream.Write(bytes);
    }
}
