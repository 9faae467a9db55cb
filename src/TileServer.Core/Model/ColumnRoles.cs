namespace TileServer.Core.Model;

/// <summary>A count derived from a rate column and population: <see cref="Scale"/> × rate × population (with a
/// percentage rate and <see cref="Scale"/> 0.01, persons: poor persons from <c>pobreza_pct</c>).</summary>
public sealed record DerivedCount(string Name, string RateColumn, double Scale = 0.01)
{
    /// <summary>The count for one unit with <paramref name="rate"/> and <paramref name="population"/>; null when either is missing.</summary>
    public double? Of(double? rate, double? population) => rate is { } r && population is { } p ? Scale * r * p : null;
}

/// <summary>
/// What each numeric estimate column means when units are combined, decided once per dataset and read by every
/// capability that combines units (dissolved levels, aggregation, tiles): the population column is the weight; a
/// count column (persons, households) is summed or apportioned; every other numeric column is a rate or index,
/// averaged with population as weights; derived counts are computed from a rate and population. Text columns take
/// no part.
/// </summary>
/// <remarks>Immutable; safe to share.</remarks>
public sealed class ColumnRoles
{
    private readonly bool[] _isCount;

    private ColumnRoles(IReadOnlyList<EstimateColumn> columns, string populationColumn, int populationIndex, bool[] isCount,
        IReadOnlyList<DerivedCount> derivedCounts)
    {
        Columns = columns;
        PopulationColumn = populationColumn;
        PopulationIndex = populationIndex;
        _isCount = isCount;
        DerivedCounts = derivedCounts;
    }

    /// <summary>The columns the roles are aligned with.</summary>
    public IReadOnlyList<EstimateColumn> Columns { get; }

    /// <summary>The configured population column's name (it may be absent from <see cref="Columns"/>).</summary>
    public string PopulationColumn { get; }

    /// <summary>Index of the numeric population column in <see cref="Columns"/>, or -1 when there is none.</summary>
    public int PopulationIndex { get; }

    /// <summary>Derived counts whose rate column is a rate column of <see cref="Columns"/>.</summary>
    public IReadOnlyList<DerivedCount> DerivedCounts { get; }

    /// <summary>True for a numeric count column (the population column is always one).</summary>
    public bool IsCount(int column) => _isCount[column];

    /// <summary>True for a numeric column that is not a count: a rate or index.</summary>
    public bool IsRate(int column) => Columns[column].Kind == ColumnKind.Number && !_isCount[column];

    /// <summary>Names of the numeric count columns, population first when present.</summary>
    public IEnumerable<string> CountColumns => Enumerable.Range(0, Columns.Count).Where(IsCount)
        .OrderBy(c => c == PopulationIndex ? 0 : 1).Select(c => Columns[c].Name);

    /// <summary>Names of the rate columns, in column order.</summary>
    public IEnumerable<string> RateColumns => Enumerable.Range(0, Columns.Count).Where(IsRate).Select(c => Columns[c].Name);

    /// <summary>
    /// Resolves the roles of <paramref name="columns"/>: names compare case-insensitively; <paramref name="countColumns"/>
    /// and derived counts naming no numeric column of the right role are left out.
    /// </summary>
    public static ColumnRoles Resolve(IReadOnlyList<EstimateColumn> columns, string populationColumn,
        IEnumerable<string> countColumns, IEnumerable<DerivedCount> derivedCounts)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(populationColumn);
        var counts = countColumns.Append(populationColumn).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var isCount = new bool[columns.Count];
        var populationIndex = -1;
        for (var c = 0; c < columns.Count; c++)
        {
            var numeric = columns[c].Kind == ColumnKind.Number;
            isCount[c] = numeric && counts.Contains(columns[c].Name);
            if (numeric && populationIndex < 0 && string.Equals(columns[c].Name, populationColumn, StringComparison.OrdinalIgnoreCase))
            {
                populationIndex = c;
            }
        }

        var roles = new ColumnRoles(columns, populationColumn, populationIndex, isCount, []);
        var rates = roles.RateColumns.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new ColumnRoles(columns, populationColumn, populationIndex, isCount, [.. derivedCounts.Where(d => rates.Contains(d.RateColumn))]);
    }
}
