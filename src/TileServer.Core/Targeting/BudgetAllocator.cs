using TileServer.Core.Model;

namespace TileServer.Core.Targeting;

/// <summary>What an allocation formula weighs units by.</summary>
public enum AllocationBasis
{
    /// <summary>The unit's population.</summary>
    Population,

    /// <summary>The unit's poor persons (the poverty indicator as a share × population).</summary>
    Poor,

    /// <summary>The unit's extremely poor persons (the extreme-poverty indicator as a share × population).</summary>
    ExtremePoor,

    /// <summary>One per unit: every unit the same amount.</summary>
    Equal,
}

/// <summary>One basis of a formula and its weight (the weights of a formula add up to 1).</summary>
public readonly record struct FormulaWeight(AllocationBasis Basis, double Weight);

/// <summary>
/// An allocation formula: a unit's share of the budget is the weighted sum of its shares of each basis,
/// s_i = sum_k w_k x_ik / X_k, with the weights normalised to add up to 1. Immutable.
/// </summary>
public sealed record AllocationFormula
{
    private AllocationFormula(string name, IReadOnlyList<FormulaWeight> weights)
    {
        Name = name;
        Weights = weights;
    }

    public string Name { get; }

    /// <summary>The bases and their weights, normalised to add up to 1, in the order given.</summary>
    public IReadOnlyList<FormulaWeight> Weights { get; }

    /// <summary>Proportional to one basis.</summary>
    public static AllocationFormula Proportional(string name, AllocationBasis basis) => new(name, [new FormulaWeight(basis, 1)]);

    /// <summary>A weighted formula; the weights must be finite and not negative, with a positive sum, and each basis
    /// may appear once.</summary>
    public static AllocationFormula Weighted(string name, IReadOnlyList<FormulaWeight> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Any(w => !double.IsFinite(w.Weight) || w.Weight < 0) || weights.Select(w => w.Basis).Distinct().Count() != weights.Count)
        {
            throw new ArgumentException("weights must be finite, not negative, one per basis", nameof(weights));
        }

        var sum = weights.Sum(w => w.Weight);
        return sum > 0
            ? new(name, [.. weights.Select(w => w with { Weight = w.Weight / sum })])
            : throw new ArgumentException("the weights must have a positive sum", nameof(weights));
    }
}

/// <summary>
/// An allocation request: <paramref name="Budget"/> whole currency units split across the units of
/// <paramref name="Level"/> in <paramref name="Scope"/> by each formula. <paramref name="Indicator"/> says who is poor
/// (the <see cref="AllocationBasis.Poor"/> basis, and the poor-proportional allocation every formula is compared
/// with); <paramref name="ExtremeIndicator"/> who is extremely poor. Immutable.
/// </summary>
public sealed record AllocationQuery(long Budget, AdminLevel Level, TargetingScope Scope, string Indicator, string ExtremeIndicator, IReadOnlyList<AllocationFormula> Formulas);

/// <summary>The units an allocation splits the budget across.</summary>
/// <param name="Units">Units with data: a population above zero, the poverty indicator, and the extreme-poverty
/// indicator when a formula uses it.</param>
/// <param name="ExtremePoor">Their extremely poor, when a formula uses that basis; else null.</param>
/// <param name="UnitsWithoutData">Units in scope without that data: they receive nothing and are reported apart.</param>
public sealed record AllocationScopeFigures(int Units, double Population, double Poor, double? ExtremePoor, int UnitsWithoutData, double PopulationWithoutData, string? Repair);

/// <summary>One formula's allocation, aligned with <see cref="AllocationResult.Units"/>.</summary>
public sealed class FormulaAllocation
{
    public required AllocationFormula Formula { get; init; }

    /// <summary>Each unit's amount in whole currency units; they add up to the budget exactly.</summary>
    public required long[] Amounts { get; init; }

    /// <summary>Each unit's exact (unrounded) share of the budget.</summary>
    public required double[] Shares { get; init; }

    /// <summary>Half the sum of absolute differences between this formula's exact shares and the poor-proportional
    /// ones: the share of the budget that would have to move to allocate by poverty. Null when the scope has no poor.</summary>
    public required double? DistanceToPoor { get; init; }
}

/// <summary>The answer to an <see cref="AllocationQuery"/>.</summary>
public sealed class AllocationResult
{
    public required long Budget { get; init; }

    public required AdminLevel Level { get; init; }

    public required string Indicator { get; init; }

    public required AllocationScopeFigures Scope { get; init; }

    /// <summary>The units with data (indexes into <see cref="Layer"/>), in code order.</summary>
    public required int[] Units { get; init; }

    /// <summary>Each unit's population, aligned with <see cref="Units"/>.</summary>
    public required double[] Population { get; init; }

    /// <summary>Each unit's poor, aligned with <see cref="Units"/>.</summary>
    public required double[] Poor { get; init; }

    public required IReadOnlyList<FormulaAllocation> Formulas { get; init; }

    public required AdminLayer Layer { get; init; }
}

/// <summary>
/// Splits a budget across units by formulas, in whole currency units that add up to the budget exactly.
/// </summary>
/// <remarks>
/// <para>Each unit's quota is budget × s_i, computed in <see cref="decimal"/> (28 significant digits, so that quotas
/// of budgets up to <see cref="MaxBudget"/> are exact to far below one currency unit). Rounding is the largest
/// remainder method (Hamilton's): every unit gets the floor of its quota, and the currency units left over go one
/// each to the units with the largest remainders, ties by code. Every amount is then within one currency unit of its
/// quota, and the amounts add up to the budget.</para>
/// <para>The distance to the poor-proportional allocation is half the L1 distance between share vectors (the
/// dissimilarity index): 0 for the poor formula itself, 1 when the two allocations share nothing.</para>
/// <para>Thread safety: stateless; the index is only read.</para>
/// </remarks>
public static class BudgetAllocator
{
    /// <summary>The largest budget accepted: 10^15 currency units.</summary>
    public const long MaxBudget = 1_000_000_000_000_000;

    /// <summary>The most formulas one request may compare.</summary>
    public const int MaxFormulas = 20;

    /// <exception cref="InvalidTargetingRequestException">The budget, an indicator, a formula or the scope cannot be
    /// used; the exception names the field.</exception>
    public static AllocationResult Allocate(TargetingIndex index, AllocationQuery query)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(query);
        if (query.Budget is < 0 or > MaxBudget)
        {
            throw new InvalidTargetingRequestException("budget", $"The budget must be between 0 and {MaxBudget} currency units; got {query.Budget}.");
        }

        if (query.Formulas.Count == 0)
        {
            throw new InvalidTargetingRequestException("formulas", "Give at least one formula.");
        }

        if (query.Formulas.Count > MaxFormulas)
        {
            throw new InvalidTargetingRequestException("formulas", $"{query.Formulas.Count} formulas is more than the {MaxFormulas} one request may compare.");
        }

        var level = index.Level(query.Level);
        var poverty = TargetingEngine.Measure(level, query.Indicator, "indicator");
        var extremeUser = query.Formulas.Select((f, i) => (f, i)).FirstOrDefault(x => x.f.Weights.Any(w => w.Basis == AllocationBasis.ExtremePoor && w.Weight > 0));
        var extreme = extremeUser.f is null ? null : TargetingEngine.Measure(level, query.ExtremeIndicator, $"formulas[{extremeUser.i}]");
        var inScope = ScopeResolver.Resolve(index, level, query.Scope);

        var units = new List<int>();
        var withoutData = 0;
        var populationWithoutData = 0.0;
        for (var u = 0; u < level.Count; u++)
        {
            if (!inScope[u])
            {
                continue;
            }

            if (level.HasData(u, poverty) && (extreme is null || level.HasData(u, extreme)))
            {
                units.Add(u);
            }
            else
            {
                withoutData++;
                populationWithoutData += level.Population[u] > 0 ? level.Population[u] : 0;
            }
        }

        if (units.Count == 0)
        {
            throw new InvalidTargetingRequestException("scope", $"No {ScopeResolver.Name(query.Level)} in scope has both a population and a value of '{poverty.Name}'.");
        }

        var n = units.Count;
        var bases = new double[Enum.GetValues<AllocationBasis>().Length][];
        bases[(int)AllocationBasis.Population] = [.. units.Select(u => level.Population[u])];
        bases[(int)AllocationBasis.Poor] = [.. units.Select(u => poverty.Values[u] * poverty.Scale!.Value * level.Population[u])];
        bases[(int)AllocationBasis.Equal] = [.. units.Select(_ => 1.0)];
        if (extreme is not null)
        {
            bases[(int)AllocationBasis.ExtremePoor] = [.. units.Select(u => extreme.Values[u] * extreme.Scale!.Value * level.Population[u])];
        }

        var totals = bases.Select(b => b?.Sum() ?? 0).ToArray();
        var exact = bases.Select(b => b is null ? null : Array.ConvertAll(b, v => (decimal)v)).ToArray();
        var exactTotals = exact.Select(b => b?.Sum() ?? 0).ToArray();
        var poorTotal = totals[(int)AllocationBasis.Poor];
        var poorShares = poorTotal > 0 ? ExactShares(AllocationFormula.Proportional("poor", AllocationBasis.Poor), exact, exactTotals, n) : null;
        var formulas = new FormulaAllocation[query.Formulas.Count];
        for (var f = 0; f < formulas.Length; f++)
        {
            var formula = query.Formulas[f];
            foreach (var weight in formula.Weights)
            {
                if (weight.Weight > 0 && totals[(int)weight.Basis] <= 0)
                {
                    throw new InvalidTargetingRequestException($"formulas[{f}]",
                        $"Formula '{formula.Name}' weighs by {Name(weight.Basis)}, but the units in scope have none (the total is 0).");
                }
            }

            var shares = ExactShares(formula, exact, exactTotals, n);
            formulas[f] = new FormulaAllocation
            {
                Formula = formula,
                Amounts = LargestRemainder(query.Budget, shares),
                Shares = [.. shares.Select(s => (double)s)],
                DistanceToPoor = poorShares is null ? null : (double)(shares.Zip(poorShares, (a, b) => Math.Abs(a - b)).Sum() / 2),
            };
        }

        return new AllocationResult
        {
            Budget = query.Budget,
            Level = query.Level,
            Indicator = poverty.Name,
            Scope = new AllocationScopeFigures(n, totals[(int)AllocationBasis.Population], poorTotal,
                extreme is null ? null : totals[(int)AllocationBasis.ExtremePoor], withoutData, populationWithoutData, query.Scope.Repair),
            Units = [.. units],
            Population = bases[(int)AllocationBasis.Population],
            Poor = bases[(int)AllocationBasis.Poor],
            Formulas = formulas,
            Layer = level.Layer,
        };
    }

    /// <summary>The request name of a basis (<c>extremePoor</c>).</summary>
    public static string Name(AllocationBasis basis) => basis switch
    {
        AllocationBasis.ExtremePoor => "extremePoor",
        _ => basis.ToString().ToLowerInvariant(),
    };

    /// <summary>s_i = sum_k w_k x_ik / X_k, in decimal.</summary>
    private static decimal[] ExactShares(AllocationFormula formula, decimal[]?[] bases, decimal[] totals, int n)
    {
        var shares = new decimal[n];
        foreach (var (basis, weight) in formula.Weights)
        {
            if (weight == 0)
            {
                continue;
            }

            var values = bases[(int)basis]!;
            var factor = (decimal)weight / totals[(int)basis];
            for (var i = 0; i < n; i++)
            {
                shares[i] += values[i] * factor;
            }
        }

        return shares;
    }

    /// <summary>Largest remainder rounding of budget × shares to whole units adding up to the budget, ties by position.</summary>
    internal static long[] LargestRemainder(long budget, IReadOnlyList<decimal> shares)
    {
        var n = shares.Count;
        var amounts = new long[n];
        var remainders = new decimal[n];
        var left = budget;
        for (var i = 0; i < n; i++)
        {
            var quota = budget * shares[i];
            var floor = decimal.Floor(quota);
            amounts[i] = (long)floor;
            remainders[i] = quota - floor;
            left -= amounts[i];
        }

        var order = Enumerable.Range(0, n).ToArray();
        // Shares sum to 1 up to decimal rounding, so what is left is 0..n-1 units, or (rounding) a unit or two over.
        if (left >= 0)
        {
            Array.Sort(order, (a, b) => remainders[b] != remainders[a] ? remainders[b].CompareTo(remainders[a]) : a.CompareTo(b));
            for (var k = 0; left > 0; k = (k + 1) % n, left--)
            {
                amounts[order[k]]++;
            }
        }
        else
        {
            Array.Sort(order, (a, b) => remainders[a] != remainders[b] ? remainders[a].CompareTo(remainders[b]) : b.CompareTo(a));
            for (var k = 0; left < 0; k = (k + 1) % n)
            {
                if (amounts[order[k]] > 0)
                {
                    amounts[order[k]]--;
                    left++;
                }
            }
        }

        return amounts;
    }
}
