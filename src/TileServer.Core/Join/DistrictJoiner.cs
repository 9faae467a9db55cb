using NetTopologySuite.Operation.Union;
using TileServer.Core.Geodesy;
using TileServer.Core.Ingest;
using TileServer.Core.Model;

namespace TileServer.Core.Join;

/// <summary>How district polygons find their codes and names.</summary>
/// <param name="DistrictKey">The code attribute of the polygon layer (matched case-insensitively).</param>
/// <param name="Codes">Code lengths: codes are normalised to the district length, parents are their prefixes.</param>
/// <param name="NameFields">Fields holding district names, tried in the polygon attributes, then in the estimates.</param>
/// <param name="MaxVerticesPerUnit">Most vertices of a district once the records sharing its code are merged.</param>
public sealed record DistrictJoinOptions(string DistrictKey, AdminCodes Codes, IReadOnlyList<string> NameFields, int MaxVerticesPerUnit = LoadLimits.DefaultMaxVerticesPerUnit);

/// <summary>
/// Joins district polygons to estimate rows by normalised code (<see cref="DistrictCode"/>), producing the district
/// layer and a <see cref="JoinReport"/>. Records that share a code are one district in several parts (an exclave
/// drawn as its own record): they are unioned and reported, never dropped.
/// </summary>
/// <remarks>Thread safety: stateless.</remarks>
public static class DistrictJoiner
{
    public static (AdminLayer Districts, JoinReport Report) Join(SourceLayer layer, EstimatesTable estimates, DistrictJoinOptions options)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(estimates);
        ArgumentNullException.ThrowIfNull(options);

        var keyField = layer.AttributeNames.FirstOrDefault(n => string.Equals(n, options.DistrictKey, StringComparison.OrdinalIgnoreCase))
            ?? throw new DataFileException(layer.AttributesPath, $"key field '{options.DistrictKey}' not found; the layer has: {string.Join(", ", layer.AttributeNames.Take(20).Select(n => DataFileException.Excerpt(n)))}");

        var byCode = new SortedDictionary<string, List<SourceFeature>>(StringComparer.Ordinal);
        foreach (var feature in layer.Features)
        {
            var code = DistrictCode.Normalize(feature.Attributes.GetValueOrDefault(keyField), options.Codes.DistrictLength)
                ?? throw new DataFileException(layer.AttributesPath, $"{Record(layer, feature)}: empty district code in field '{keyField}'");
            if (code.Length != options.Codes.DistrictLength)
            {
                throw new DataFileException(layer.AttributesPath, $"{Record(layer, feature)}: district code '{DataFileException.Excerpt(code)}' is not {options.Codes.DistrictLength} characters long");
            }

            if (!byCode.TryGetValue(code, out var parts))
            {
                byCode[code] = parts = [];
            }

            parts.Add(feature);
        }

        var units = new List<AdminUnit>(byCode.Count);
        var merged = new List<string>();
        var matched = 0;
        var noValues = new object?[estimates.Columns.Count];
        foreach (var (code, parts) in byCode)
        {
            var vertices = parts.Sum(p => (long)p.Geometry.NumPoints);
            if (vertices > options.MaxVerticesPerUnit)
            {
                throw new DataFileException(layer.FilePath, $"district {DataFileException.Excerpt(code)} ({string.Join(", ", parts.Take(5).Select(p => Record(layer, p)))}{(parts.Count > 5 ? ", ..." : string.Empty)}): {vertices:N0} vertices, over Dataset:MaxVerticesPerUnit ({options.MaxVerticesPerUnit:N0})");
            }

            var geometry = parts.Count == 1 ? parts[0].Geometry : UnaryUnionOp.Union(parts.Select(p => p.Geometry).ToList());
            if (parts.Count > 1)
            {
                merged.Add(code);
            }

            var row = estimates.ByKey.GetValueOrDefault(code);
            if (row is not null)
            {
                matched++;
            }

            units.Add(new AdminUnit
            {
                Level = AdminLevel.District,
                Code = code,
                Name = NameLookup.Find(options.NameFields, parts[0].Attributes, row?.Values, estimates.Columns) ?? code,
                ProvinceCode = options.Codes.ParentCode(code, AdminLevel.Province),
                DepartmentCode = options.Codes.ParentCode(code, AdminLevel.Department),
                Geometry = geometry,
                SourceGeometry = geometry,
                Values = row?.Values ?? noValues,
                HasEstimates = row is not null,
                AreaKm2 = EqualAreaProjection.AreaSquareKilometres(geometry),
                Attributes = parts[0].Attributes,
            });
        }

        var report = new JoinReport
        {
            Polygons = units.Count,
            EstimateRows = estimates.Rows.Count,
            Matched = matched,
            UnmatchedPolygons = [.. byCode.Keys.Where(c => !estimates.ByKey.ContainsKey(c))],
            UnmatchedRows = [.. estimates.Rows.Select(r => r.Key).Where(k => !byCode.ContainsKey(k)).Order(StringComparer.Ordinal)],
            MissingValues = estimates.Columns.ToDictionary(c => c.Name, c => c.MissingCount, StringComparer.Ordinal),
            MergedPolygonCodes = merged,
        };
        return (new AdminLayer(AdminLevel.District, estimates.Columns, units), report);
    }

    private static string Record(SourceLayer layer, SourceFeature feature) =>
        $"{(layer.AttributesPath == layer.FilePath ? "feature" : "record")} {feature.RecordNumber}";
}
