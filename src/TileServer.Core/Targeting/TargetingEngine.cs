using TileServer.Core.Model;

namespace TileServer.Core.Targeting;

/// <summary>
/// Compares targeting rules on the units of one level in a scope: which units each rule selects and how well it
/// reaches the poor, by the measures of the targeting literature (definitions in the README, "Targeting and
/// allocation").
/// </summary>
/// <remarks>
/// <para>Definitions. For each unit with data (a population p_i above zero and a value of the request's indicator),
/// r_i is the indicator as a share of the population (<see cref="TargetingIndex"/>'s scale) and q_i = r_i p_i its
/// poor; N = sum p_i and Q = sum q_i over the scope. For a selection T: population = sum_T p_i, poor = sum_T q_i,
/// coverage = poor / Q, undercoverage = 1 - coverage (exclusion error), leakage = (population - poor) / population
/// (inclusion error), precision = poor / population, CGH = precision / (Q / N) (Coady, Grosh and Hoddinott 2004: 1
/// is no better than a random selection of the same size), efficiency = poor / bestPoorSamePopulation.</para>
/// <para>bestPoorSamePopulation is the greedy bound of the 0/1 knapsack "most poor in whole units with at most the
/// selection's population" (Dantzig 1957): units by r_i descending, whole while they fit, then the fraction of the
/// next one that fills the population. No selection of whole units with that population reaches more poor, so
/// efficiency is at most 1 (it may understate the best whole-unit selection by less than one unit's poor); a
/// selection of the units with the highest r_i has efficiency 1.</para>
/// <para>Rules. Each ranks the units with data by its own indicator (the request's when it names none), worst first
/// and ties by code; units without a value of the rule's indicator are never selected by it
/// (<see cref="RuleResult.UnrankedUnits"/>). A threshold takes the units at or beyond the cut (a prefix of the
/// ranking); top-N the first N; a population budget walks the ranking and takes each unit whose population still fits,
/// skipping the others (<see cref="RuleResult.Skipped"/>: those ranked before the last unit taken).</para>
/// <para>Cost: one pass over the level's ranking per distinct (indicator, direction) of the request keeps the scope's
/// units with data and their cumulative population and poor; then a threshold or top-N rule is two binary searches
/// (its cut, and the bound's) plus one pass over its selection for the per-department figures, and a budget rule
/// walks the ranking from the last whole prefix that fits. Thread safety: stateless; the index is only read.</para>
/// </remarks>
public static class TargetingEngine
{
    /// <summary>The most rules one request may compare (the contract of <c>POST /v1/targeting</c>).</summary>
    public const int MaxRules = 100;

    /// <summary>Evaluates every rule of <paramref name="query"/>, in order.</summary>
    /// <exception cref="InvalidTargetingRequestException">An indicator, level or scope cannot be used; the exception
    /// names the field.</exception>
    public static TargetingResult Evaluate(TargetingIndex index, TargetingQuery query)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(query);
        if (query.Rules.Count == 0)
        {
            throw new InvalidTargetingRequestException("rules", "Give at least one rule.");
        }

        if (query.Rules.Count > MaxRules)
        {
            throw new InvalidTargetingRequestException("rules", $"{query.Rules.Count} rules is more than the {MaxRules} one request may compare; split them.");
        }

        var level = index.Level(query.Level);
        var measure = Measure(level, query.Indicator, "indicator");
        var inScope = ScopeResolver.Resolve(index, level, query.Scope);
        var data = ScopeData.Gather(level, measure, inScope, index.Departments.Units.Count);
        var rankings = new Dictionary<(string, RuleDirection), Ranking>();
        Ranking RankingOf(RankedColumn column, RuleDirection direction)
        {
            var key = (column.Name, direction);
            if (!rankings.TryGetValue(key, out var ranking))
            {
                rankings[key] = ranking = Ranking.Build(column, direction, data);
            }

            return ranking;
        }

        var best = RankingOf(measure, RuleDirection.Above);
        var results = new RuleResult[query.Rules.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var rule = query.Rules[i];
            var column = rule.Indicator is null ? measure : Rank(level, rule.Indicator, $"rules[{i}].indicator");
            results[i] = Apply(rule with { Indicator = column.Name }, RankingOf(column, rule.Direction), best, data, index.Departments);
        }

        return new TargetingResult
        {
            Level = query.Level,
            Indicator = measure.Name,
            Scope = new ScopeFigures(data.Units, data.Population, data.Poor, data.UnitsWithoutData, data.PopulationWithoutData, query.Scope.Repair),
            Results = results,
            Layer = level.Layer,
        };
    }

    /// <summary>The rate column a rule ranks by.</summary>
    internal static RankedColumn Rank(LevelIndex level, string name, string field) =>
        level.Rate(name) ?? throw new InvalidTargetingRequestException(field,
            $"'{name}' is not a rate column of the {ScopeResolver.Name(level.Layer.Level)}s; rate columns: {string.Join(", ", level.RateColumns)}.");

    /// <summary>The rate column that says who is poor: a rate column with a scale.</summary>
    internal static RankedColumn Measure(LevelIndex level, string name, string field)
    {
        var column = Rank(level, name, field);
        return column.Scale is null
            ? throw new InvalidTargetingRequestException(field,
                $"'{column.Name}' is not a share of the population (its values are neither all in [0, 1] nor all in [0, 100]), so it cannot say who is poor; rules may still select by it.")
            : column;
    }

    private static RuleResult Apply(TargetingRule rule, Ranking ranking, Ranking best, ScopeData data, AdminLayer departments)
    {
        ReadOnlyMemory<int> selected, skipped = ReadOnlyMemory<int>.Empty;
        double population, poor, skippedPopulation = 0;
        switch (rule.Kind)
        {
            case RuleKind.Threshold:
            case RuleKind.Top:
                var count = rule.Kind == RuleKind.Top ? Math.Min(rule.Top, ranking.Count) : ranking.CountAtOrBeyond(rule.Threshold);
                selected = new ReadOnlyMemory<int>(ranking.Units, 0, count);
                population = ranking.CumulativePopulation[count];
                poor = ranking.CumulativePoor[count];
                break;
            case RuleKind.PopulationBudget:
            case RuleKind.MoneyBudget:
                (selected, skipped, population, poor, skippedPopulation) = ranking.WithinPopulation(rule.PopulationBudget, data);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(rule), rule.Kind, null);
        }

        // The bound is at least what the selection reaches; max() only absorbs rounding in the two sums' orders.
        var bound = Math.Max(best.GreedyBound(population, data), poor);
        double? precision = population > 0 ? poor / population : null;
        double? coverage = data.Poor > 0 ? poor / data.Poor : null;
        return new RuleResult
        {
            Rule = rule,
            Units = selected.Length,
            Population = population,
            Poor = poor,
            Coverage = coverage,
            Undercoverage = 1 - coverage,
            Leakage = population > 0 ? (population - poor) / population : null,
            Precision = precision,
            Cgh = precision is { } p && data.Poor > 0 ? p / (data.Poor / data.Population) : null,
            BestPoorSamePopulation = bound,
            Efficiency = bound > 0 ? poor / bound : null,
            Selected = selected,
            Skipped = skipped,
            SkippedPopulation = skippedPopulation,
            UnrankedUnits = data.Units - ranking.Count,
            ByDepartment = ByDepartment(selected.Span, data, departments),
        };
    }

    private static DepartmentFigures[] ByDepartment(ReadOnlySpan<int> selected, ScopeData data, AdminLayer departments)
    {
        var count = data.DepartmentUnits.Length;
        var units = new int[count];
        var population = new double[count];
        var poor = new double[count];
        foreach (var u in selected)
        {
            var d = data.DepartmentOf[u];
            units[d]++;
            population[d] += data.PopulationOf[u];
            poor[d] += data.PoorOf[u];
        }

        var figures = new DepartmentFigures[data.Departments];
        var next = 0;
        for (var d = 0; d < count; d++)
        {
            if (data.DepartmentUnits[d] > 0)
            {
                var unit = departments.Units[d];
                figures[next++] = new DepartmentFigures(unit.Code, unit.Name, units[d], population[d], poor[d],
                    data.DepartmentPoor[d] > 0 ? poor[d] / data.DepartmentPoor[d] : null);
            }
        }

        return figures;
    }
}

/// <summary>The scope's units with data, their population and poor, per unit and per department, for one request.</summary>
internal sealed class ScopeData
{
    private ScopeData(double[] population, double[] poor, int[] departmentOf, bool[] hasData, int departments)
    {
        PopulationOf = population;
        PoorOf = poor;
        DepartmentOf = departmentOf;
        HasData = hasData;
        DepartmentUnits = new int[departments];
        DepartmentPoor = new double[departments];
    }

    /// <summary>Each unit's population (the level's array, shared).</summary>
    public double[] PopulationOf { get; }

    /// <summary>Each unit's poor, q_i; 0 for units without data.</summary>
    public double[] PoorOf { get; }

    public int[] DepartmentOf { get; }

    /// <summary>True for the units in scope with data.</summary>
    public bool[] HasData { get; }

    public int Units { get; private set; }

    public double Population { get; private set; }

    public double Poor { get; private set; }

    public int UnitsWithoutData { get; private set; }

    public double PopulationWithoutData { get; private set; }

    /// <summary>Units with data per department.</summary>
    public int[] DepartmentUnits { get; }

    /// <summary>Poor per department.</summary>
    public double[] DepartmentPoor { get; }

    /// <summary>Departments with units with data.</summary>
    public int Departments { get; private set; }

    public static ScopeData Gather(LevelIndex level, RankedColumn measure, bool[] inScope, int departments)
    {
        var n = level.Count;
        var scale = measure.Scale!.Value;
        var data = new ScopeData(level.Population, new double[n], level.Department, new bool[n], departments);
        for (var u = 0; u < n; u++)
        {
            if (!inScope[u])
            {
                continue;
            }

            var population = level.Population[u];
            if (level.HasData(u, measure))
            {
                var poor = measure.Values[u] * scale * population;
                data.HasData[u] = true;
                data.PoorOf[u] = poor;
                data.Units++;
                data.Population += population;
                data.Poor += poor;
                var d = level.Department[u];
                data.Departments += data.DepartmentUnits[d] == 0 ? 1 : 0;
                data.DepartmentUnits[d]++;
                data.DepartmentPoor[d] += poor;
            }
            else
            {
                data.UnitsWithoutData++;
                data.PopulationWithoutData += population > 0 ? population : 0;
            }
        }

        return data;
    }
}

/// <summary>The scope's units with data ranked by one indicator and direction, with cumulative population and poor.</summary>
internal sealed class Ranking
{
    private Ranking(int[] units, double[] values, double[] population, double[] poor, RuleDirection direction)
    {
        Units = units;
        Values = values;
        CumulativePopulation = population;
        CumulativePoor = poor;
        Direction = direction;
    }

    /// <summary>The units, worst first.</summary>
    public int[] Units { get; }

    public int Count => Values.Length;

    /// <summary>The indicator's value of each ranked unit.</summary>
    public double[] Values { get; }

    /// <summary>Population of the first k units, at k (length Count + 1).</summary>
    public double[] CumulativePopulation { get; }

    /// <summary>Poor of the first k units, at k (length Count + 1).</summary>
    public double[] CumulativePoor { get; }

    public RuleDirection Direction { get; }

    public static Ranking Build(RankedColumn column, RuleDirection direction, ScopeData data)
    {
        var order = column.Ranking(direction);
        var count = 0;
        foreach (var u in order)
        {
            count += data.HasData[u] ? 1 : 0;
        }

        var units = new int[count];
        var values = new double[count];
        var population = new double[count + 1];
        var poor = new double[count + 1];
        var k = 0;
        foreach (var u in order)
        {
            if (data.HasData[u])
            {
                units[k] = u;
                values[k] = column.Values[u];
                population[k + 1] = population[k] + data.PopulationOf[u];
                poor[k + 1] = poor[k] + data.PoorOf[u];
                k++;
            }
        }

        return new Ranking(units, values, population, poor, direction);
    }

    /// <summary>How many units are at or beyond <paramref name="threshold"/>: at or above it ranking
    /// <see cref="RuleDirection.Above"/>, at or below it ranking <see cref="RuleDirection.Below"/> (a prefix).</summary>
    public int CountAtOrBeyond(double threshold)
    {
        int low = 0, high = Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            var beyond = Direction == RuleDirection.Above ? Values[middle] >= threshold : Values[middle] <= threshold;
            if (beyond)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>The longest prefix whose population is at most <paramref name="persons"/>.</summary>
    public int LongestPrefixWithin(double persons)
    {
        int low = 0, high = Count;
        while (low < high)
        {
            var middle = (low + high + 1) >>> 1;
            if (CumulativePopulation[middle] <= persons)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return low;
    }

    /// <summary>The greedy (fractional knapsack) bound on the poor of whole units holding at most
    /// <paramref name="persons"/>; this ranking must be the request's indicator, descending.</summary>
    public double GreedyBound(double persons, ScopeData data)
    {
        var k = LongestPrefixWithin(persons);
        if (k == Count)
        {
            return CumulativePoor[k];
        }

        var next = Units[k];
        return CumulativePoor[k] + ((persons - CumulativePopulation[k]) * data.PoorOf[next] / data.PopulationOf[next]);
    }

    /// <summary>Walks the ranking taking each unit whose population still fits within <paramref name="persons"/>.</summary>
    public (ReadOnlyMemory<int> Selected, ReadOnlyMemory<int> Skipped, double Population, double Poor, double SkippedPopulation) WithinPopulation(double persons, ScopeData data)
    {
        var prefix = LongestPrefixWithin(persons);
        if (prefix == Count)
        {
            return (Units, ReadOnlyMemory<int>.Empty, CumulativePopulation[prefix], CumulativePoor[prefix], 0);
        }

        var selected = new List<int>(Units.AsSpan(0, prefix).ToArray());
        var skipped = new List<int>();
        var population = CumulativePopulation[prefix];
        var poor = CumulativePoor[prefix];
        var skippedBeforeLast = 0;
        for (var k = prefix; k < Count && population < persons; k++)
        {
            var u = Units[k];
            var p = data.PopulationOf[u];
            if (population + p <= persons)
            {
                selected.Add(u);
                population += p;
                poor += data.PoorOf[u];
                skippedBeforeLast = skipped.Count;
            }
            else
            {
                skipped.Add(u);
            }
        }

        var passedOver = skipped.GetRange(0, skippedBeforeLast).ToArray();
        var skippedPopulation = 0.0;
        foreach (var u in passedOver)
        {
            skippedPopulation += data.PopulationOf[u];
        }

        return (selected.ToArray(), passedOver, population, poor, skippedPopulation);
    }
}
