namespace TileServer.Core.Targeting;

/// <summary>Which end of an indicator is worse: <see cref="Above"/> (the default) for rates where higher is worse,
/// such as a poverty rate; <see cref="Below"/> for indices where lower is worse, such as a human development index.</summary>
public enum RuleDirection
{
    Above,
    Below,
}

/// <summary>How a rule selects units.</summary>
public enum RuleKind
{
    /// <summary>Every unit whose indicator is at or beyond <see cref="TargetingRule.Threshold"/> (at or above it;
    /// at or below it with <see cref="RuleDirection.Below"/>).</summary>
    Threshold,

    /// <summary>The <see cref="TargetingRule.Top"/> units with the worst indicator, ties by code.</summary>
    Top,

    /// <summary>Units by worst indicator (ties by code) while the cumulative population stays within
    /// <see cref="TargetingRule.PopulationBudget"/>; a unit that does not fit is skipped and the next considered.</summary>
    PopulationBudget,

    /// <summary>A money budget over a yearly transfer per person: <see cref="PopulationBudget"/> with
    /// floor(<see cref="TargetingRule.Budget"/> / <see cref="TargetingRule.PerPerson"/>) persons.</summary>
    MoneyBudget,
}

/// <summary>
/// One targeting rule: how it selects (<see cref="Kind"/> and its parameter), by which indicator (null: the request's)
/// and which end of it is worse. Build one with <see cref="AtThreshold"/>, <see cref="WorstUnits"/>,
/// <see cref="WithinPopulation"/> or <see cref="WithinBudget"/>. Immutable.
/// </summary>
public sealed record TargetingRule
{
    private TargetingRule(string name, RuleKind kind)
    {
        Name = name;
        Kind = kind;
    }

    public string Name { get; }

    public RuleKind Kind { get; }

    /// <summary>The rate column the rule ranks and selects by; null: the request's indicator.</summary>
    public string? Indicator { get; init; }

    public RuleDirection Direction { get; init; }

    /// <summary>The cut of a <see cref="RuleKind.Threshold"/> rule, in the indicator's own units (50 for 50% with a
    /// percentage column).</summary>
    public double Threshold { get; private init; }

    /// <summary>How many units a <see cref="RuleKind.Top"/> rule takes.</summary>
    public int Top { get; private init; }

    /// <summary>The money of a <see cref="RuleKind.MoneyBudget"/> rule.</summary>
    public double Budget { get; private init; }

    /// <summary>The yearly transfer per person of a <see cref="RuleKind.MoneyBudget"/> rule.</summary>
    public double PerPerson { get; private init; }

    /// <summary>The persons a budget rule may cover: the population budget, or floor(budget / perPerson).</summary>
    public double PopulationBudget { get; private init; }

    /// <summary>Units whose indicator is at or beyond <paramref name="threshold"/>.</summary>
    public static TargetingRule AtThreshold(string name, double threshold) =>
        double.IsFinite(threshold)
            ? new(name, RuleKind.Threshold) { Threshold = threshold }
            : throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "a threshold must be finite");

    /// <summary>The <paramref name="top"/> units with the worst indicator, ties by code.</summary>
    public static TargetingRule WorstUnits(string name, int top) =>
        top >= 0 ? new(name, RuleKind.Top) { Top = top } : throw new ArgumentOutOfRangeException(nameof(top), top, "top must not be negative");

    /// <summary>Units by worst indicator while the cumulative population stays within <paramref name="persons"/>.</summary>
    public static TargetingRule WithinPopulation(string name, double persons) =>
        double.IsFinite(persons) && persons >= 0
            ? new(name, RuleKind.PopulationBudget) { PopulationBudget = persons }
            : throw new ArgumentOutOfRangeException(nameof(persons), persons, "a population budget must be finite and not negative");

    /// <summary>A money budget over a yearly transfer per person: floor(<paramref name="budget"/> / <paramref name="perPerson"/>) persons.</summary>
    public static TargetingRule WithinBudget(string name, double budget, double perPerson)
    {
        if (!(double.IsFinite(budget) && budget >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(budget), budget, "a budget must be finite and not negative");
        }

        if (!(double.IsFinite(perPerson) && perPerson > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(perPerson), perPerson, "perPerson must be finite and above zero");
        }

        return new(name, RuleKind.MoneyBudget) { Budget = budget, PerPerson = perPerson, PopulationBudget = Math.Floor(budget / perPerson) };
    }
}
