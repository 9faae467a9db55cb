using NetTopologySuite.Geometries;

namespace TileServer.Core.Coverage;

/// <summary>
/// Dissolves a clean coverage (for example the output of <see cref="CoverageCleaner"/>) into larger units, such as
/// provinces and departments from districts by code prefix, so that all levels share borders exactly.
/// </summary>
/// <remarks>
/// Each group is merged with NTS <see cref="NetTopologySuite.Coverage.CoverageUnion"/>, which relies on the
/// coverage's shared edges being identical and so only drops the shared edges instead of running a full overlay:
/// the outer borders of a group are the very vertices of its members. Groups run in parallel.
/// Thread safety: stateless, safe from any thread; inputs are not modified.
/// </remarks>
public static class CoverageDissolver
{
    /// <summary>
    /// Unions <paramref name="geometries"/> by <paramref name="groupKeys"/> (index-aligned); returns one geometry per
    /// distinct key, keys in ordinal order.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, Geometry>> Dissolve(IReadOnlyList<Geometry> geometries,
        IReadOnlyList<string> groupKeys)
    {
        ArgumentNullException.ThrowIfNull(geometries);
        ArgumentNullException.ThrowIfNull(groupKeys);
        if (geometries.Count != groupKeys.Count)
        {
            throw new ArgumentException("One group key per geometry is required.", nameof(groupKeys));
        }

        var groups = new SortedDictionary<string, List<Geometry>>(StringComparer.Ordinal);
        for (var i = 0; i < geometries.Count; i++)
        {
            if (!groups.TryGetValue(groupKeys[i], out var members))
            {
                members = [];
                groups.Add(groupKeys[i], members);
            }

            members.Add(geometries[i]);
        }

        var keys = groups.Keys.ToArray();
        var dissolved = new Geometry[keys.Length];
        Parallel.For(0, keys.Length, k =>
        {
            var members = groups[keys[k]];
            dissolved[k] = members.Count == 1 ? members[0].Copy() : NetTopologySuite.Coverage.CoverageUnion.Union([.. members]);
        });

        var result = new KeyValuePair<string, Geometry>[keys.Length];
        for (var k = 0; k < keys.Length; k++)
        {
            result[k] = new KeyValuePair<string, Geometry>(keys[k], dissolved[k]);
        }

        return result;
    }
}
