using TileServer.Core.Model;

namespace TileServer.Core.Aggregation;

/// <summary>How a numeric column is aggregated over an area.</summary>
public enum ColumnRole
{
    /// <summary>A count (persons, households): apportioned by the share of each district's area inside the query.</summary>
    Extensive,

    /// <summary>A rate or index (poverty %, HDI): averaged with the apportioned weight (population) as weights.</summary>
    Intensive,
}

/// <summary>
/// Which columns the aggregation reads and how: the weight column (an extensive count, normally population), further
/// extensive columns, intensive columns, and derived counts. The defaults fit <c>poverty.csv</c>.
/// </summary>
/// <remarks>Immutable; safe to share.</remarks>
public sealed record AggregationConfiguration
{
    /// <summary>The extensive column used as the weight of intensive averages and reported as population.</summary>
    public string WeightColumn { get; init; } = "poblacion";

    /// <summary>Extensive columns besides the weight, apportioned by area.</summary>
    public IReadOnlyList<string> ExtensiveColumns { get; init; } = [];

    /// <summary>Intensive columns, averaged with apportioned-weight weights.</summary>
    public IReadOnlyList<string> IntensiveColumns { get; init; } =
        ["pobreza_pct", "pobreza_extrema_pct", "idh", "vulnerabilidad_alimentaria"];

    /// <summary>Counts derived from intensive rates; every <see cref="DerivedCount.RateColumn"/> must be intensive.</summary>
    public IReadOnlyList<DerivedCount> DerivedCounts { get; init; } =
        [new("pobres", "pobreza_pct"), new("pobres_extremos", "pobreza_extrema_pct")];

    /// <summary>Limits and repair policy applied to every query.</summary>
    public AggregationLimits Limits { get; init; } = new();

    /// <summary>The defaults for the Peru poverty estimates.</summary>
    public static AggregationConfiguration PovertyDefaults { get; } = new();
}
