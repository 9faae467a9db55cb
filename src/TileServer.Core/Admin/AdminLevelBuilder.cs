using NetTopologySuite.Operation.Union;
using TileServer.Core.Coverage;
using TileServer.Core.Dataset;
using TileServer.Core.Geodesy;
using TileServer.Core.Join;

namespace TileServer.Core.Admin;

/// <summary>
/// Derives a coarser administrative level from districts by code prefix (INEI: 2 digits department, 4 province,
/// 6 district): geometries are dissolved, count columns (<see cref="DatasetOptions.ExtensiveColumns"/>) are
/// summed over the districts that have a value, and every other numeric column is the population-weighted mean
/// over the districts that have both the value and a population. Text columns do not carry over.
/// </summary>
/// <remarks>
/// On a clean coverage the dissolve is <see cref="CoverageDissolver"/> (NTS CoverageUnion: it drops shared edges, so
/// all levels share borders exactly and it is fast); on a layer served as published it is a full union
/// (NTS OverlayNG unary union), correct where districts overlap. Units are built in parallel. Thread safety: stateless.
/// </remarks>
public static class AdminLevelBuilder
{
    public static AdminLayer Build(AdminLayer districts, AdminLevel level, DatasetOptions options, bool cleanCoverage)
    {
        ArgumentNullException.ThrowIfNull(districts);
        ArgumentNullException.ThrowIfNull(options);
        var (prefixLength, nameFields) = level switch
        {
            AdminLevel.Province => (options.ProvinceCodeLength, options.ProvinceNameFields),
            AdminLevel.Department => (options.DepartmentCodeLength, options.DepartmentNameFields),
            _ => throw new ArgumentOutOfRangeException(nameof(level), level, "only provinces and departments are derived"),
        };

        var numeric = new List<(int Source, EstimateColumn Column)>();
        for (var c = 0; c < districts.Columns.Count; c++)
        {
            if (districts.Columns[c].Kind == ColumnKind.Number)
            {
                numeric.Add((c, districts.Columns[c]));
            }
        }

        var extensive = DatasetOptions.SplitList(options.ExtensiveColumns).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var population = districts.Columns.Select((c, i) => (c, i))
            .FirstOrDefault(x => string.Equals(x.c.Name, options.PopulationColumn, StringComparison.OrdinalIgnoreCase) && x.c.Kind == ColumnKind.Number);
        var populationIndex = population.c is null ? -1 : population.i;
        var names = DatasetOptions.SplitList(nameFields);

        var groups = districts.Units.GroupBy(d => d.Code[..prefixLength], StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
        var dissolved = cleanCoverage
            ? CoverageDissolver.Dissolve([.. districts.Units.Select(d => d.Geometry)], [.. districts.Units.Select(d => d.Code[..prefixLength])]).Select(g => g.Value).ToArray()
            : null;
        var units = new AdminUnit[groups.Length];
        Parallel.For(0, groups.Length, g =>
        {
            var members = groups[g].ToArray();
            var values = new object?[numeric.Count];
            for (var n = 0; n < numeric.Count; n++)
            {
                var (source, column) = numeric[n];
                values[n] = extensive.Contains(column.Name)
                    ? Sum(members, source)
                    : WeightedMean(members, source, populationIndex);
            }

            var geometry = dissolved?[g] ?? UnaryUnionOp.Union(members.Select(m => m.Geometry).ToList());
            units[g] = new AdminUnit
            {
                Level = level,
                Code = groups[g].Key,
                Name = members.Select(m => NameLookup.Find(names, m.Attributes, m.HasEstimates ? m.Values : null, districts.Columns))
                    .FirstOrDefault(n => n is not null) ?? groups[g].Key,
                DepartmentCode = level == AdminLevel.Province ? groups[g].Key[..options.DepartmentCodeLength] : null,
                Geometry = geometry,
                SourceGeometry = geometry,
                Values = values,
                HasEstimates = members.Any(m => m.HasEstimates),
                AreaKm2 = EqualAreaProjection.AreaSquareKilometres(geometry),
            };
        });

        var columns = numeric.Select(n => n.Column with { MissingCount = units.Count(u => u.Values[numeric.IndexOf(n)] is null) }).ToArray();
        return new AdminLayer(level, columns, units);
    }

    private static double? Sum(AdminUnit[] members, int column)
    {
        double sum = 0;
        var any = false;
        foreach (var m in members)
        {
            if (m.Values[column] is double v)
            {
                sum += v;
                any = true;
            }
        }

        return any ? sum : null;
    }

    private static double? WeightedMean(AdminUnit[] members, int column, int populationIndex)
    {
        if (populationIndex < 0)
        {
            return null;
        }

        double weighted = 0, weights = 0;
        foreach (var m in members)
        {
            if (m.Values[column] is double v && m.Values[populationIndex] is double w)
            {
                weighted += v * w;
                weights += w;
            }
        }

        return weights > 0 ? weighted / weights : null;
    }
}
