using NetTopologySuite;
using NetTopologySuite.Operation.Union;
using TileServer.Core.Coverage;
using TileServer.Core.Geodesy;
using TileServer.Core.Join;
using TileServer.Core.Model;

namespace TileServer.Core.Admin;

/// <summary>
/// Derives a coarser administrative level from districts by their parent index (<see cref="ParentIndex"/>):
/// geometries are dissolved, count columns (<see cref="ColumnRoles.IsCount"/>) are summed over the districts that
/// have a value, and every rate column is the population-weighted mean over the districts that have both the value
/// and a population. Text columns do not carry over.
/// </summary>
/// <remarks>
/// With the districts' <see cref="CoverageTopology"/> the dissolve traces each group's outline over the chains whose
/// two sides have different parents (<see cref="AdminTopology"/>, traced once per load), so all levels share borders exactly,
/// vertex for vertex, without any overlay; without topology (a layer served as published that is not a coverage) it
/// is a full union (NTS OverlayNG unary union), correct where districts overlap. Units are built in parallel. Thread
/// safety: stateless.
/// </remarks>
public static class AdminLevelBuilder
{
    /// <param name="districts">The district layer, units in the order of <paramref name="parents"/>' district codes.</param>
    /// <param name="level">Province or department.</param>
    /// <param name="parents">The parent index of <paramref name="districts"/>.</param>
    /// <param name="roles">The roles of <paramref name="districts"/>' columns.</param>
    /// <param name="nameFields">Fields holding the level's names, tried in the districts' attributes, then in their estimates.</param>
    /// <param name="topology">The levels over the districts' coverage topology (its units are <paramref name="districts"/>' units), or null when they are not a coverage.</param>
    public static AdminLayer Build(AdminLayer districts, AdminLevel level, ParentIndex parents, ColumnRoles roles,
        IReadOnlyList<string> nameFields, AdminTopology? topology)
    {
        ArgumentNullException.ThrowIfNull(districts);
        ArgumentNullException.ThrowIfNull(parents);
        ArgumentNullException.ThrowIfNull(roles);
        ArgumentNullException.ThrowIfNull(nameFields);
        if (level == AdminLevel.District)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "only provinces and departments are derived");
        }

        var numeric = new List<(int Source, EstimateColumn Column)>();
        for (var c = 0; c < districts.Columns.Count; c++)
        {
            if (districts.Columns[c].Kind == ColumnKind.Number)
            {
                numeric.Add((c, districts.Columns[c]));
            }
        }

        var codes = parents.CodesOf(level);
        var parentOf = parents.Of(AdminLevel.District, level);
        var groups = new List<AdminUnit>[codes.Count];
        for (var g = 0; g < groups.Length; g++)
        {
            groups[g] = [];
        }

        for (var d = 0; d < districts.Units.Count; d++)
        {
            groups[parentOf[d]].Add(districts.Units[d]);
        }

        var factory = districts.Units.Count > 0 ? districts.Units[0].Geometry.Factory : NtsGeometryServices.Instance.CreateGeometryFactory();
        var dissolved = topology?.ToGeometries(level, factory);
        var units = new AdminUnit[groups.Length];
        Parallel.For(0, groups.Length, LoadParallelism.Options, g =>
        {
            var members = groups[g];
            var values = new object?[numeric.Count];
            for (var n = 0; n < numeric.Count; n++)
            {
                var source = numeric[n].Source;
                values[n] = roles.IsCount(source)
                    ? Sum(members, source)
                    : WeightedMean(members, source, roles.PopulationIndex);
            }

            var geometry = dissolved?[g] ?? UnaryUnionOp.Union(members.Select(m => m.Geometry).ToList());
            units[g] = new AdminUnit
            {
                Level = level,
                Code = codes[g],
                Name = members.Select(m => NameLookup.Find(nameFields, m.Attributes, m.HasEstimates ? m.Values : null, districts.Columns))
                    .FirstOrDefault(n => n is not null) ?? codes[g],
                DepartmentCode = level == AdminLevel.Province ? parents.CodesOf(AdminLevel.Department)[parents.Of(AdminLevel.Province, g, AdminLevel.Department)] : null,
                Geometry = geometry,
                SourceGeometry = geometry,
                Values = values,
                HasEstimates = members.Any(m => m.HasEstimates),
                AreaKm2 = EqualAreaProjection.AreaSquareKilometres(geometry),
            };
        });

        var columns = numeric.Select((n, i) => n.Column with { MissingCount = units.Count(u => u.Values[i] is null) }).ToArray();
        return new AdminLayer(level, columns, units);
    }

    private static double? Sum(List<AdminUnit> members, int column)
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

    private static double? WeightedMean(List<AdminUnit> members, int column, int populationIndex)
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
