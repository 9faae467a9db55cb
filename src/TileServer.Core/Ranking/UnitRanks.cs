using TileServer.Core.Model;

namespace TileServer.Core.Ranking;

/// <summary>
/// A unit's place among its peers for one indicator: <see cref="FromHighest"/> 1 is the highest value,
/// <see cref="FromLowest"/> 1 the lowest, among the <see cref="Of"/> units of the group that have a value.
/// Ties share a rank (competition ranking, "1224"): a unit's rank from the highest is one plus the number of
/// units with a strictly higher value.
/// </summary>
public readonly record struct Rank(int FromHighest, int FromLowest, int Of);

/// <summary>
/// Every unit's rank for every numeric indicator, within the country, within its department and (districts) within
/// its province, computed once per dataset at load: "12th poorest of 171 districts in Lima" is
/// <c>Within(District, "pobreza_pct", unit, Department)</c> read from the highest.
/// </summary>
/// <remarks>
/// Groups come from the <see cref="ParentIndex"/>; per group the values are sorted once and each unit's rank is two
/// binary searches, O(n log n) per indicator and level. Memory: one <see cref="Rank"/> (12 bytes) per unit, indicator
/// and scope. Immutable after <see cref="Build"/>; safe to read from any thread.
/// </remarks>
public sealed class UnitRanks
{
    // [level][indicator] -> [scope][unit]; scope 0 = country, then each coarser level (department, province).
    private readonly Dictionary<string, Rank?[][]>[] _ranks;

    private UnitRanks(Dictionary<string, Rank?[][]>[] ranks) => _ranks = ranks;

    /// <summary>The unit's rank in the whole country among units of its level, or null when it has no value.</summary>
    public Rank? InCountry(AdminLevel level, string indicator, int unit) => Get(level, indicator, 0, unit);

    /// <summary>The unit's rank among the units of its level that share its <paramref name="parent"/> unit, or null when it has no value.</summary>
    /// <exception cref="ArgumentException"><paramref name="parent"/> is not coarser than <paramref name="level"/>.</exception>
    public Rank? Within(AdminLevel level, string indicator, int unit, AdminLevel parent) =>
        parent < level ? Get(level, indicator, 1 + (int)parent, unit) : throw new ArgumentException($"{parent} is not coarser than {level}", nameof(parent));

    public static UnitRanks Build(IReadOnlyList<AdminLayer> layers, ParentIndex parents)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(parents);
        var ranks = new Dictionary<string, Rank?[][]>[Enum.GetValues<AdminLevel>().Length];
        foreach (var layer in layers)
        {
            var byIndicator = new Dictionary<string, Rank?[][]>(StringComparer.OrdinalIgnoreCase);
            var n = layer.Units.Count;
            for (var column = 0; column < layer.Columns.Count; column++)
            {
                if (layer.Columns[column].Kind != ColumnKind.Number)
                {
                    continue;
                }

                var values = new double?[n];
                for (var u = 0; u < n; u++)
                {
                    values[u] = layer.Number(u, column);
                }

                var scopes = new Rank?[1 + (int)layer.Level][];
                scopes[0] = RankGroups(values, new int[n]);
                for (var parent = AdminLevel.Department; parent < layer.Level; parent++)
                {
                    scopes[1 + (int)parent] = RankGroups(values, parents.Of(layer.Level, parent).ToArray());
                }

                byIndicator[layer.Columns[column].Name] = scopes;
            }

            ranks[(int)layer.Level] = byIndicator;
        }

        return new UnitRanks(ranks);
    }

    private Rank? Get(AdminLevel level, string indicator, int scope, int unit) =>
        _ranks[(int)level] is { } byIndicator && byIndicator.TryGetValue(indicator, out var scopes) ? scopes[scope][unit] : null;

    /// <summary>Ranks each unit with a value among the units of its group (<paramref name="group"/>[unit]).</summary>
    private static Rank?[] RankGroups(double?[] values, int[] group)
    {
        var sorted = new Dictionary<int, List<double>>();
        for (var u = 0; u < values.Length; u++)
        {
            if (values[u] is { } v)
            {
                if (!sorted.TryGetValue(group[u], out var list))
                {
                    sorted[group[u]] = list = [];
                }

                list.Add(v);
            }
        }

        foreach (var list in sorted.Values)
        {
            list.Sort();
        }

        var result = new Rank?[values.Length];
        for (var u = 0; u < values.Length; u++)
        {
            if (values[u] is { } v)
            {
                var list = sorted[group[u]];
                var below = CountBelow(list, v, orEqual: false);
                var notAbove = CountBelow(list, v, orEqual: true);
                result[u] = new Rank(list.Count - notAbove + 1, below + 1, list.Count);
            }
        }

        return result;
    }

    /// <summary>Number of values less than <paramref name="value"/> (or equal to it, when <paramref name="orEqual"/>).</summary>
    private static int CountBelow(List<double> sorted, double value, bool orEqual)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value || (orEqual && sorted[mid] == value))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
