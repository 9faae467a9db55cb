using TileServer.Core.Model;

namespace TileServer.Core.Targeting;

/// <summary>
/// A targeting request: the units of <paramref name="Level"/> in <paramref name="Scope"/>, the indicator that says who
/// is poor (a rate column that is a share of the population, such as <c>pobreza_pct</c>), and the rules to compare, in
/// order. Each rule selects by its own indicator when it names one, and is always measured against
/// <paramref name="Indicator"/>. Immutable.
/// </summary>
public sealed record TargetingQuery(AdminLevel Level, TargetingScope Scope, string Indicator, IReadOnlyList<TargetingRule> Rules);

/// <summary>The units in scope: those with data (a population above zero and a value of the indicator) and the
/// others, reported apart and never counted as non-poor.</summary>
/// <param name="Units">Units with data.</param>
/// <param name="Population">N: their population.</param>
/// <param name="Poor">Q: their poor persons (rate as a share × population).</param>
/// <param name="UnitsWithoutData">Units in scope without a population or without a value of the indicator.</param>
/// <param name="PopulationWithoutData">Their population, where known.</param>
/// <param name="Repair">What was repaired in an area scope, or null.</param>
public sealed record ScopeFigures(int Units, double Population, double Poor, int UnitsWithoutData, double PopulationWithoutData, string? Repair);

/// <summary>A rule's figures in one department (<c>byDepartment</c>).</summary>
/// <param name="Coverage">The department's poor in scope that the selected units hold, as a share; null when it has none.</param>
public readonly record struct DepartmentFigures(string Code, string Name, int Units, double Population, double Poor, double? Coverage);

/// <summary>
/// What one rule selects and how well (the measures of issue 15; README, "Targeting and allocation"). Ratios whose
/// denominator is zero are null: <see cref="Leakage"/>, <see cref="Precision"/>, <see cref="Cgh"/> and
/// <see cref="Efficiency"/> when nothing is selected, <see cref="Coverage"/> when the scope has no poor.
/// </summary>
public sealed class RuleResult
{
    /// <summary>The rule as applied, its indicator resolved.</summary>
    public required TargetingRule Rule { get; init; }

    public required int Units { get; init; }

    public required double Population { get; init; }

    public required double Poor { get; init; }

    public required double? Coverage { get; init; }

    public required double? Undercoverage { get; init; }

    public required double? Leakage { get; init; }

    public required double? Precision { get; init; }

    public required double? Cgh { get; init; }

    /// <summary>An upper bound on the poor any selection of whole units with at most <see cref="Population"/> persons
    /// could reach (see <see cref="TargetingEngine"/>).</summary>
    public required double BestPoorSamePopulation { get; init; }

    public required double? Efficiency { get; init; }

    /// <summary>The selected units (indexes into the level's layer), worst first by the rule's indicator.</summary>
    public required ReadOnlyMemory<int> Selected { get; init; }

    /// <summary>Budget rules: units that did not fit although a unit ranked after them was selected, in rank order.</summary>
    public required ReadOnlyMemory<int> Skipped { get; init; }

    /// <summary>The population of <see cref="Skipped"/>.</summary>
    public required double SkippedPopulation { get; init; }

    /// <summary>Units with data that the rule cannot rank: they lack a value of the rule's own indicator.</summary>
    public required int UnrankedUnits { get; init; }

    /// <summary>Per department with units in scope, in code order.</summary>
    public required IReadOnlyList<DepartmentFigures> ByDepartment { get; init; }
}

/// <summary>The answer to a <see cref="TargetingQuery"/>: the scope's figures and one result per rule, in order.</summary>
public sealed class TargetingResult
{
    public required AdminLevel Level { get; init; }

    public required string Indicator { get; init; }

    public required ScopeFigures Scope { get; init; }

    public required IReadOnlyList<RuleResult> Results { get; init; }

    /// <summary>The level's layer, whose units <see cref="RuleResult.Selected"/> indexes.</summary>
    public required AdminLayer Layer { get; init; }
}
