using TileServer.Core.Model;
using TileServer.Core.Targeting;

namespace TileServer.Core.Tests.Targeting;

/// <summary>
/// <see cref="BudgetAllocator"/> on <see cref="HandMadeCountry"/>: a budget of 1000 over the six districts with data,
/// in code order 010101 (p 1000, q 800), 010102 (2000, 1000), 010201 (4000, 2000), 020101 (10000, 6000),
/// 020102 (500, 200), 030102 (2500, 500); N = 20000, Q = 10500. Quotas and roundings worked out by hand.
/// </summary>
public class HandMadeAllocationTests(HandMadeCountry country) : IClassFixture<HandMadeCountry>
{
    private static readonly double[] Population = [1000, 2000, 4000, 10000, 500, 2500];
    private static readonly double[] Poor = [800, 1000, 2000, 6000, 200, 500];

    private AllocationResult Allocate(long budget, params AllocationFormula[] formulas) =>
        BudgetAllocator.Allocate(country.Snapshot.Targeting,
            new AllocationQuery(budget, AdminLevel.District, TargetingScope.Country, "pobreza_pct", "pobreza_extrema_pct", formulas));

    [Fact]
    public void Units_without_data_receive_nothing_and_are_reported_apart()
    {
        var result = Allocate(1000, AllocationFormula.Proportional("population", AllocationBasis.Population));

        Assert.Equal(["010101", "010102", "010201", "020101", "020102", "030102"], result.Units.Select(u => result.Layer.Units[u].Code));
        Assert.Equal((6, 20000.0, 2, 3000.0), (result.Scope.Units, result.Scope.Population, result.Scope.UnitsWithoutData, result.Scope.PopulationWithoutData));
        Assert.Equal(10500, result.Scope.Poor, 1e-9);
    }

    [Fact]
    public void Population_shares_that_are_whole_need_no_rounding()
    {
        var allocation = Allocate(1000, AllocationFormula.Proportional("population", AllocationBasis.Population)).Formulas[0];

        Assert.Equal([50L, 100, 200, 500, 25, 125], allocation.Amounts);
    }

    [Fact]
    public void Poor_shares_round_by_largest_remainder()
    {
        // Quotas 76.19, 95.24, 190.48, 571.43, 19.05, 47.62: floors add to 998; the two largest remainders
        // (030102: .62, 010201: .48) get one more each.
        var allocation = Allocate(1000, AllocationFormula.Proportional("poor", AllocationBasis.Poor)).Formulas[0];

        Assert.Equal([76L, 95, 191, 571, 19, 48], allocation.Amounts);
        Assert.Equal(0, allocation.DistanceToPoor!.Value);
    }

    [Fact]
    public void Equal_remainders_go_to_the_lower_codes()
    {
        // 1000 / 6 = 166.67 each: 996 in floors, the 4 left to the first four codes.
        var allocation = Allocate(1000, AllocationFormula.Proportional("equal", AllocationBasis.Equal)).Formulas[0];

        Assert.Equal([167L, 167, 167, 167, 166, 166], allocation.Amounts);
    }

    [Fact]
    public void A_weighted_formula_mixes_the_shares()
    {
        // 0.7 q/Q + 0.3 p/N × 1000: 68.33, 96.67, 193.33, 550, 20.83, 70.83; floors add to 997; the three largest
        // remainders: 020102 and 030102 (.83), then 010102 (.67).
        var formula = AllocationFormula.Weighted("mix", [new(AllocationBasis.Poor, 0.7), new(AllocationBasis.Population, 0.3)]);

        var allocation = Allocate(1000, formula).Formulas[0];

        Assert.Equal([68L, 97, 193, 550, 21, 71], allocation.Amounts);
        // s - poor share = 0.3 (population share - poor share).
        Assert.Equal(0.3 * DistanceOfPopulationShares(), allocation.DistanceToPoor!.Value, 1e-12);
    }

    [Fact]
    public void Weights_are_normalised()
    {
        var percent = AllocationFormula.Weighted("percent", [new(AllocationBasis.Poor, 70), new(AllocationBasis.Population, 30)]);

        Assert.Equal([0.7, 0.3], percent.Weights.Select(w => w.Weight));
        Assert.Equal([68L, 97, 193, 550, 21, 71], Allocate(1000, percent).Formulas[0].Amounts);
    }

    [Fact]
    public void The_distance_to_the_poor_allocation_is_half_the_sum_of_share_differences()
    {
        var allocation = Allocate(1000, AllocationFormula.Proportional("population", AllocationBasis.Population)).Formulas[0];

        Assert.Equal(DistanceOfPopulationShares(), allocation.DistanceToPoor!.Value, 1e-12);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(999_999_999_999_999)]
    [InlineData(BudgetAllocator.MaxBudget)]
    public void Amounts_add_up_to_the_budget_and_stay_within_one_unit_of_the_quota(long budget)
    {
        var formulas = new[]
        {
            AllocationFormula.Proportional("population", AllocationBasis.Population),
            AllocationFormula.Proportional("poor", AllocationBasis.Poor),
            AllocationFormula.Proportional("equal", AllocationBasis.Equal),
            AllocationFormula.Weighted("mix", [new(AllocationBasis.Poor, 0.7), new(AllocationBasis.Population, 0.3)]),
        };

        var result = Allocate(budget, formulas);

        foreach (var allocation in result.Formulas)
        {
            Assert.Equal(budget, allocation.Amounts.Sum());
            for (var i = 0; i < allocation.Amounts.Length; i++)
            {
                Assert.True(allocation.Amounts[i] >= 0);
                var quota = (decimal)budget * (decimal)allocation.Shares[i];
                Assert.True(Math.Abs(allocation.Amounts[i] - quota) < 1.0001m, $"{allocation.Formula.Name}[{i}]: {allocation.Amounts[i]} vs quota {quota}");
            }
        }
    }

    [Fact]
    public void An_extreme_poor_formula_needs_the_extreme_poverty_column_and_names_the_formula()
    {
        var error = Assert.Throws<InvalidTargetingRequestException>(() => Allocate(1000,
            AllocationFormula.Proportional("population", AllocationBasis.Population),
            AllocationFormula.Proportional("extremePoor", AllocationBasis.ExtremePoor)));

        Assert.Equal("formulas[1]", error.Field);
        Assert.Contains("pobreza_extrema_pct", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_department_level_allocation_splits_across_departments()
    {
        var result = BudgetAllocator.Allocate(country.Snapshot.Targeting, new AllocationQuery(
            900, AdminLevel.Department, TargetingScope.Country, "pobreza_pct", "pobreza_extrema_pct",
            [AllocationFormula.Proportional("equal", AllocationBasis.Equal)]));

        Assert.Equal(["01", "02", "03"], result.Units.Select(u => result.Layer.Units[u].Code));
        Assert.Equal([300L, 300, 300], result.Formulas[0].Amounts);
    }

    [Fact]
    public void A_negative_or_too_large_budget_names_the_budget()
    {
        var formula = AllocationFormula.Proportional("poor", AllocationBasis.Poor);

        Assert.Equal("budget", Assert.Throws<InvalidTargetingRequestException>(() => Allocate(-1, formula)).Field);
        Assert.Equal("budget", Assert.Throws<InvalidTargetingRequestException>(() => Allocate(BudgetAllocator.MaxBudget + 1, formula)).Field);
    }

    private static double DistanceOfPopulationShares()
    {
        var sum = 0.0;
        for (var i = 0; i < Population.Length; i++)
        {
            sum += Math.Abs((Population[i] / 20000) - (Poor[i] / 10500));
        }

        return sum / 2;
    }
}
