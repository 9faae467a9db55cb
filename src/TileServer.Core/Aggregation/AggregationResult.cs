using TileServer.Core.Model;

namespace TileServer.Core.Aggregation;

/// <summary>The aggregate of one column over the query area.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Role">Extensive (a sum of apportioned values) or intensive (a weighted mean).</param>
/// <param name="Value">The estimate, or null when no contributing district has a value (and, for an intensive
/// column, a weight).</param>
/// <param name="PopulationWithoutEstimate">Apportioned weight (population) of contributing districts that have no
/// value in this column: the part of <see cref="AggregationResult.Population"/> the estimate does not speak for.</param>
/// <param name="DistrictsWithoutEstimate">Contributing districts skipped for a missing value (or, for an intensive
/// column, a missing weight).</param>
public sealed record ColumnEstimate(string Name, ColumnRole Role, double? Value, double PopulationWithoutEstimate, int DistrictsWithoutEstimate);

/// <summary>A derived count (see <see cref="DerivedCount"/>) over the query area, with the population whose rate is
/// missing and which it therefore leaves out.</summary>
public sealed record DerivedCountEstimate(string Name, string RateColumn, double? Value, double PopulationWithoutEstimate);

/// <summary>One district's share of a query.</summary>
/// <param name="Code">District code.</param>
/// <param name="Name">District name.</param>
/// <param name="Fraction">Share of the district's area inside the query, in [0, 1].</param>
/// <param name="Population">Apportioned population (fraction × population), or null when the district has none.</param>
public sealed record DistrictShare(string Code, string Name, double Fraction, double? Population);

/// <summary>
/// The aggregate of the district estimates over a query area. See <c>docs/aggregation.md</c> for the formulas.
/// </summary>
/// <param name="Population">Σ fraction × population over contributing districts that have a population.</param>
/// <param name="Estimates">One entry per configured extensive and intensive column, in configuration order
/// (extensive first).</param>
/// <param name="DerivedCounts">One entry per configured derived count.</param>
/// <param name="Districts">Districts whose intersection with the query has a positive area.</param>
/// <param name="DistrictsWithoutPopulation">Contributing districts that have no population value.</param>
/// <param name="AreaKm2">Σ of the intersection areas (the query's area inside the coverage when districts do not
/// overlap), km² on the ellipsoid.</param>
/// <param name="QueryAreaKm2">The query's own area, km² on the ellipsoid.</param>
/// <param name="Coverage"><see cref="AreaKm2"/> / <see cref="QueryAreaKm2"/>, capped at 1 (overlapping districts
/// can push the raw ratio over 1); 0 for a query outside every district.</param>
/// <param name="Repair">Null, or what was repaired in the query geometry (self-intersecting rings).</param>
/// <param name="Breakdown">Per-district shares in district order when asked for, else null.</param>
public sealed record AggregationResult(
    double Population,
    IReadOnlyList<ColumnEstimate> Estimates,
    IReadOnlyList<DerivedCountEstimate> DerivedCounts,
    int Districts,
    int DistrictsWithoutPopulation,
    double AreaKm2,
    double QueryAreaKm2,
    double Coverage,
    string? Repair,
    IReadOnlyList<DistrictShare>? Breakdown)
{
    /// <summary>The estimate of a column by name (ordinal, case-insensitive), or null when it has none.</summary>
    /// <exception cref="KeyNotFoundException">No such column is configured.</exception>
    public double? Estimate(string column)
    {
        foreach (var estimate in Estimates)
        {
            if (string.Equals(estimate.Name, column, StringComparison.OrdinalIgnoreCase))
            {
                return estimate.Value;
            }
        }

        throw new KeyNotFoundException($"No aggregated column '{column}'.");
    }
}
