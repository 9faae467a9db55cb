using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.HPRtree;
using TileServer.Core.Model;

namespace TileServer.Core.Targeting;

/// <summary>
/// Everything targeting and allocation requests read, built once per dataset snapshot: for each level, every unit's
/// population, department and label point, and for each rate column its values, the share of the population each
/// value stands for (the indicator scale, below), and the units ranked by it both ways (worst first; ties by code).
/// A request then filters these rankings by its scope in one pass and answers each rule with binary searches over
/// cumulative sums (<see cref="TargetingEngine"/>).
/// </summary>
/// <remarks>
/// <para>Memory per level: a population array, a department array, a label point array and a packed Hilbert R-tree of
/// the label points; per rate column a value array and two rankings (4 + 4 bytes per unit each way). Peru: about
/// 0.3 MB in all.</para>
/// <para>Indicator scale: a rate column from which the dataset derives a count (<see cref="ColumnRoles.DerivedCounts"/>)
/// uses that count's scale (0.01 for <c>pobreza_pct</c>: poor persons = rate / 100 × population); any other rate
/// column is read as a fraction when all of its values lie in [0, 1] (an index), as a percentage when they lie in
/// [0, 100], and otherwise has no scale: rules may still rank by it, but it cannot be the request's indicator.</para>
/// <para>Thread safety: immutable after <see cref="Build"/>; any number of requests may read it at once.</para>
/// </remarks>
public sealed class TargetingIndex
{
    private readonly LevelIndex[] _levels;

    private readonly Dictionary<string, int> _departmentIndex;
    private readonly Dictionary<string, int> _provinceIndex;

    private TargetingIndex(LevelIndex[] levels, ParentIndex parents)
    {
        _levels = levels;
        _departmentIndex = Positions(parents.CodesOf(AdminLevel.Department));
        _provinceIndex = Positions(parents.CodesOf(AdminLevel.Province));
    }

    /// <summary>The departments, for the per-department figures.</summary>
    public AdminLayer Departments => _levels[(int)AdminLevel.Department].Layer;

    /// <summary>The index of the department coded <paramref name="code"/>, or -1.</summary>
    internal int DepartmentIndex(string code) => _departmentIndex.GetValueOrDefault(code, -1);

    /// <summary>The index of the province coded <paramref name="code"/>, or -1.</summary>
    internal int ProvinceIndex(string code) => _provinceIndex.GetValueOrDefault(code, -1);

    internal LevelIndex Level(AdminLevel level) => _levels[(int)level];

    /// <summary>Builds the index of a snapshot's three layers.</summary>
    public static TargetingIndex Build(AdminLayer departments, AdminLayer provinces, AdminLayer districts, ParentIndex parents, ColumnRoles roles, LabelPoints labels)
    {
        ArgumentNullException.ThrowIfNull(departments);
        ArgumentNullException.ThrowIfNull(provinces);
        ArgumentNullException.ThrowIfNull(districts);
        ArgumentNullException.ThrowIfNull(parents);
        ArgumentNullException.ThrowIfNull(roles);
        ArgumentNullException.ThrowIfNull(labels);
        var layers = new[] { departments, provinces, districts };
        var levels = new LevelIndex[layers.Length];
        for (var l = 0; l < layers.Length; l++)
        {
            levels[l] = new LevelIndex(layers[l], parents, roles, labels);
        }

        return new TargetingIndex(levels, parents);
    }

    private static Dictionary<string, int> Positions(IReadOnlyList<string> codes)
    {
        var positions = new Dictionary<string, int>(codes.Count, StringComparer.Ordinal);
        for (var i = 0; i < codes.Count; i++)
        {
            positions[codes[i]] = i;
        }

        return positions;
    }
}

/// <summary>One level of a <see cref="TargetingIndex"/>. Immutable.</summary>
internal sealed class LevelIndex
{
    private readonly Dictionary<string, RankedColumn> _rates;
    private readonly HPRtree<int> _labelTree = new();

    public LevelIndex(AdminLayer layer, ParentIndex parents, ColumnRoles roles, LabelPoints labels)
    {
        Layer = layer;
        var n = layer.Units.Count;
        var columns = layer.Columns;
        var populationColumn = IndexOf(columns, roles.PopulationColumn);
        Population = new double[n];
        for (var u = 0; u < n; u++)
        {
            Population[u] = populationColumn >= 0 && layer.Units[u].Values[populationColumn] is double p ? p : double.NaN;
        }

        Department = layer.Level == AdminLevel.Department
            ? [.. Enumerable.Range(0, n)]
            : parents.Of(layer.Level, AdminLevel.Department).ToArray();
        Province = layer.Level switch
        {
            AdminLevel.District => parents.Of(AdminLevel.District, AdminLevel.Province).ToArray(),
            AdminLevel.Province => [.. Enumerable.Range(0, n)],
            _ => null,
        };
        Labels = labels.Of(layer.Level).ToArray();
        for (var u = 0; u < n; u++)
        {
            _labelTree.Insert(new Envelope(Labels[u].Lon, Labels[u].Lon, Labels[u].Lat, Labels[u].Lat), u);
        }

        // HPRtree builds lazily on the first query, which would race; build it here so requests only read.
        _labelTree.Build();
        _rates = new Dictionary<string, RankedColumn>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in roles.RateColumns)
        {
            var column = IndexOf(columns, name);
            if (column >= 0)
            {
                var scale = roles.DerivedCounts.FirstOrDefault(d => string.Equals(d.RateColumn, name, StringComparison.OrdinalIgnoreCase))?.Scale;
                _rates[name] = new RankedColumn(columns[column].Name, [.. layer.Units.Select(u => u.Values[column] is double v ? v : double.NaN)], scale);
            }
        }

        RateColumns = [.. _rates.Values.Select(r => r.Name)];
    }

    public AdminLayer Layer { get; }

    public int Count => Population.Length;

    /// <summary>Each unit's population; NaN when missing.</summary>
    public double[] Population { get; }

    /// <summary>Each unit's department, as an index into the department layer.</summary>
    public int[] Department { get; }

    /// <summary>Each unit's province, as an index into the province layer; null for departments.</summary>
    public int[]? Province { get; }

    public LonLat[] Labels { get; }

    /// <summary>Names of the rate columns, in column order.</summary>
    public IReadOnlyList<string> RateColumns { get; }

    public RankedColumn? Rate(string name) => _rates.GetValueOrDefault(name);

    /// <summary>
    /// True when unit <paramref name="unit"/> has data for <paramref name="indicator"/>: a population above zero and
    /// a value of the indicator. Units without are never selected or allocated to, and never counted as non-poor.
    /// </summary>
    public bool HasData(int unit, RankedColumn indicator) => Population[unit] > 0 && !double.IsNaN(indicator.Values[unit]);

    /// <summary>Units whose label point lies in <paramref name="area"/> or on its boundary, in unit order.</summary>
    public List<int> UnitsWithin(Geometry area)
    {
        var locator = new IndexedPointInAreaLocator(area);
        var found = new List<int>();
        foreach (var u in _labelTree.Query(area.EnvelopeInternal))
        {
            if (locator.Locate(new Coordinate(Labels[u].Lon, Labels[u].Lat)) != Location.Exterior)
            {
                found.Add(u);
            }
        }

        found.Sort();
        return found;
    }

    private static int IndexOf(IReadOnlyList<EstimateColumn> columns, string name)
    {
        for (var c = 0; c < columns.Count; c++)
        {
            if (columns[c].Kind == ColumnKind.Number && string.Equals(columns[c].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return c;
            }
        }

        return -1;
    }
}

/// <summary>A rate column of one level: its values, its scale, and the units ranked by it. Immutable.</summary>
internal sealed class RankedColumn
{
    public RankedColumn(string name, double[] values, double? derivedScale)
    {
        Name = name;
        Values = values;
        var ranked = Enumerable.Range(0, values.Length).Where(u => !double.IsNaN(values[u])).ToArray();
        // Worst first, ties by code: the units are in code order, so ties by index (a stable sort keeps it).
        Descending = [.. ranked.OrderByDescending(u => values[u])];
        Ascending = [.. ranked.OrderBy(u => values[u])];
        Scale = derivedScale ?? InferScale(ranked.Select(u => values[u]));
    }

    public string Name { get; }

    /// <summary>Each unit's value; NaN when missing.</summary>
    public double[] Values { get; }

    /// <summary>Units with a value, highest first (ties by code).</summary>
    public int[] Descending { get; }

    /// <summary>Units with a value, lowest first (ties by code).</summary>
    public int[] Ascending { get; }

    /// <summary>What one unit of the column is as a share of the population (0.01 for a percentage), or null when
    /// the column is not a share (see <see cref="TargetingIndex"/>).</summary>
    public double? Scale { get; }

    public int[] Ranking(RuleDirection direction) => direction == RuleDirection.Above ? Descending : Ascending;

    private static double? InferScale(IEnumerable<double> values)
    {
        var (min, max) = values.Aggregate((Min: 0.0, Max: 0.0), (range, v) => (Math.Min(range.Min, v), Math.Max(range.Max, v)));
        return min < 0 ? null : max <= 1 ? 1 : max <= 100 ? 0.01 : null;
    }
}
