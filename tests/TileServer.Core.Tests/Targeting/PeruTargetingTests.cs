using System.Globalization;
using System.Text.RegularExpressions;
using TileServer.Core.Model;
using TileServer.Core.Targeting;
using TileServer.Core.Tests.Dataset;

namespace TileServer.Core.Tests.Targeting;

/// <summary>
/// <see cref="TargetingEngine"/> and <see cref="BudgetAllocator"/> on Peru, cross-checked against
/// <see cref="PeruOracle"/>: the same definitions computed in this file from <c>poverty.csv</c> and the shapefile's
/// codes, with none of the server's code.
/// </summary>
public class PeruTargetingTests(PeruDatasetFixture peru) : IClassFixture<PeruDatasetFixture>
{
    private static readonly Lazy<PeruOracle> Oracle = new(() => PeruOracle.Read(PeruData.Directory!));

    private TargetingResult Evaluate(AdminLevel level, TargetingScope scope, string indicator, params TargetingRule[] rules) =>
        TargetingEngine.Evaluate(peru.Snapshot.Targeting, new TargetingQuery(level, scope, indicator, rules));

    private static string[] Codes(TargetingResult result, ReadOnlyMemory<int> units) => [.. units.ToArray().Select(u => result.Layer.Units[u].Code)];

    [PeruTheory]
    [InlineData("pobreza_pct", 50)]
    [InlineData("pobreza_pct", 30)]
    [InlineData("pobreza_extrema_pct", 20)]
    public void A_threshold_over_all_districts_matches_the_csv(string indicator, double threshold)
    {
        var oracle = Oracle.Value;
        var units = oracle.WithData(oracle.Districts, indicator);
        var expected = units.Where(u => u.Rate(indicator) >= threshold).ToList();

        var result = Evaluate(AdminLevel.District, TargetingScope.Country, indicator, TargetingRule.AtThreshold("t", threshold));
        var rule = result.Results[0];

        AssertScope(oracle.Districts, indicator, units, result.Scope);
        Assert.Equal(expected.Select(u => u.Code).Order(StringComparer.Ordinal), Codes(result, rule.Selected).Order(StringComparer.Ordinal));
        AssertMeasures(units, expected, indicator, rule);
    }

    [PeruFact]
    public void Top_100_takes_the_worst_100_with_ties_by_code()
    {
        var oracle = Oracle.Value;
        var units = oracle.WithData(oracle.Districts, "pobreza_pct");
        var expected = units.OrderByDescending(u => u.Rate("pobreza_pct")).ThenBy(u => u.Code, StringComparer.Ordinal).Take(100).ToList();

        var result = Evaluate(AdminLevel.District, TargetingScope.Country, "pobreza_pct", TargetingRule.WorstUnits("top", 100));
        var rule = result.Results[0];

        Assert.Equal(expected.Select(u => u.Code), Codes(result, rule.Selected));
        AssertMeasures(units, expected, "pobreza_pct", rule);
    }

    [PeruTheory]
    [InlineData("pobreza_pct", 2_000_000)]
    [InlineData("pobreza_extrema_pct", 750_000)]
    public void A_population_budget_walks_the_ranking_skipping_what_does_not_fit(string indicator, double persons)
    {
        var oracle = Oracle.Value;
        var units = oracle.WithData(oracle.Districts, indicator);
        var ranked = units.OrderByDescending(u => u.Rate(indicator)).ThenBy(u => u.Code, StringComparer.Ordinal).ToList();
        var taken = new List<PeruOracle.Unit>();
        var passed = new List<PeruOracle.Unit>();
        var total = 0.0;
        foreach (var unit in ranked)
        {
            if (total + unit.Population!.Value <= persons)
            {
                taken.Add(unit);
                total += unit.Population.Value;
            }
            else
            {
                passed.Add(unit);
            }
        }

        var lastTaken = ranked.IndexOf(taken[^1]);
        var skipped = passed.Where(u => ranked.IndexOf(u) < lastTaken).ToList();

        var result = Evaluate(AdminLevel.District, TargetingScope.Country, indicator, TargetingRule.WithinPopulation("budget", persons));
        var rule = result.Results[0];

        Assert.Equal(taken.Select(u => u.Code), Codes(result, rule.Selected));
        Assert.Equal(skipped.Select(u => u.Code), Codes(result, rule.Skipped));
        Assert.NotEmpty(skipped);
        AssertMeasures(units, taken, indicator, rule);
    }

    [PeruFact]
    public void A_department_scope_and_its_breakdown_match_the_csv()
    {
        var oracle = Oracle.Value;
        var units = oracle.WithData(oracle.Districts.Where(u => u.Code.StartsWith("05", StringComparison.Ordinal)), "pobreza_pct");
        var expected = units.Where(u => u.Rate("pobreza_pct") >= 50).ToList();

        var result = Evaluate(AdminLevel.District, TargetingScope.Department("05"), "pobreza_pct", TargetingRule.AtThreshold("t", 50));
        var rule = result.Results[0];

        Assert.Equal(units.Count, result.Scope.Units);
        AssertMeasures(units, expected, "pobreza_pct", rule);
        var ayacucho = Assert.Single(rule.ByDepartment);
        Assert.Equal(("05", expected.Count), (ayacucho.Code, ayacucho.Units));
        Assert.Equal(rule.Coverage!.Value, ayacucho.Coverage!.Value, 12);
    }

    [PeruFact]
    public void By_department_adds_up_to_the_country_and_matches_the_csv_per_department()
    {
        var oracle = Oracle.Value;
        var units = oracle.WithData(oracle.Districts, "pobreza_pct");

        var rule = Evaluate(AdminLevel.District, TargetingScope.Country, "pobreza_pct", TargetingRule.AtThreshold("t", 40)).Results[0];

        Assert.Equal(25, rule.ByDepartment.Count);
        Assert.Equal(rule.Units, rule.ByDepartment.Sum(d => d.Units));
        foreach (var department in rule.ByDepartment)
        {
            var inDepartment = units.Where(u => u.Code[..2] == department.Code).ToList();
            var selected = inDepartment.Where(u => u.Rate("pobreza_pct") >= 40).ToList();
            Assert.Equal(selected.Count, department.Units);
            Assert.Equal(selected.Sum(u => u.Population!.Value), department.Population);
            Assert.Equal(selected.Sum(u => u.Poor("pobreza_pct")), department.Poor, department.Poor * 1e-12);
            Assert.Equal(selected.Sum(u => u.Poor("pobreza_pct")) / inDepartment.Sum(u => u.Poor("pobreza_pct")), department.Coverage!.Value, 12);
        }
    }

    [PeruFact]
    public void Province_level_ranks_provinces_aggregated_from_their_districts()
    {
        var oracle = Oracle.Value;
        var units = oracle.WithData(oracle.Provinces, "pobreza_pct");
        var expected = units.Where(u => u.Rate("pobreza_pct") >= 50).ToList();

        var result = Evaluate(AdminLevel.Province, TargetingScope.Country, "pobreza_pct", TargetingRule.AtThreshold("t", 50));
        var rule = result.Results[0];

        AssertScope(oracle.Provinces, "pobreza_pct", units, result.Scope);
        Assert.Equal(expected.Select(u => u.Code).Order(StringComparer.Ordinal), Codes(result, rule.Selected).Order(StringComparer.Ordinal));
        AssertMeasures(units, expected, "pobreza_pct", rule);
    }

    [PeruFact]
    public void A_department_polygon_as_scope_holds_its_districts()
    {
        var lima = peru.Snapshot.Departments.Find("15")!;

        var result = Evaluate(AdminLevel.District, TargetingScope.Within(lima.Geometry), "pobreza_pct", TargetingRule.WorstUnits("all", 10_000));
        var byCode = Evaluate(AdminLevel.District, TargetingScope.Department("15"), "pobreza_pct", TargetingRule.WorstUnits("all", 10_000));

        Assert.Equal(byCode.Scope, result.Scope);
        Assert.Equal(Codes(byCode, byCode.Results[0].Selected), Codes(result, result.Results[0].Selected));
    }

    [PeruFact]
    public void Poor_allocation_across_departments_matches_the_csv_and_adds_up()
    {
        const long budget = 1_000_000_000;
        var oracle = Oracle.Value;
        var departments = oracle.WithData(oracle.Departments, "pobreza_pct");
        var totalPoor = departments.Sum(d => d.Poor("pobreza_pct"));
        var totalPopulation = departments.Sum(d => d.Population!.Value);

        var result = BudgetAllocator.Allocate(peru.Snapshot.Targeting, new AllocationQuery(budget, AdminLevel.Department, TargetingScope.Country,
            "pobreza_pct", "pobreza_extrema_pct",
            [AllocationFormula.Proportional("poor", AllocationBasis.Poor), AllocationFormula.Proportional("population", AllocationBasis.Population),
             AllocationFormula.Proportional("extremePoor", AllocationBasis.ExtremePoor)]));

        Assert.Equal(departments.Select(d => d.Code), result.Units.Select(u => result.Layer.Units[u].Code));
        var poor = result.Formulas[0];
        Assert.Equal(budget, poor.Amounts.Sum());
        for (var i = 0; i < departments.Count; i++)
        {
            var quota = budget * departments[i].Poor("pobreza_pct") / totalPoor;
            Assert.InRange(poor.Amounts[i], Math.Floor(quota) - 1e-6, Math.Ceiling(quota) + 1e-6);
        }

        var distance = departments.Sum(d => Math.Abs((d.Population!.Value / totalPopulation) - (d.Poor("pobreza_pct") / totalPoor))) / 2;
        Assert.Equal(distance, result.Formulas[1].DistanceToPoor!.Value, 9);
        Assert.Equal(budget, result.Formulas[2].Amounts.Sum());
        Assert.Equal(0, poor.DistanceToPoor!.Value);
    }

    /// <summary>The README's worked example ("Targeting and allocation") quotes these figures; they must stay true.</summary>
    [PeruFact]
    public void The_readme_worked_example_quotes_the_engine()
    {
        var rule = Evaluate(AdminLevel.District, TargetingScope.Country, "pobreza_pct", TargetingRule.AtThreshold("poorest", 50)).Results[0];
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var section = readme[readme.IndexOf("## Targeting and allocation", StringComparison.Ordinal)..];

        string Quoted(string name) => Regex.Match(section, $@"<!-- {name} -->([^<]+)<!-- /{name} -->").Groups[1].Value.Trim();

        Assert.Equal(rule.Units.ToString("N0", CultureInfo.InvariantCulture), Quoted("units"));
        Assert.Equal(rule.Population.ToString("N0", CultureInfo.InvariantCulture), Quoted("population"));
        Assert.Equal(rule.Poor.ToString("N0", CultureInfo.InvariantCulture), Quoted("poor"));
        Assert.Equal((rule.Coverage!.Value * 100).ToString("F1", CultureInfo.InvariantCulture) + "%", Quoted("coverage"));
        Assert.Equal((rule.Leakage!.Value * 100).ToString("F1", CultureInfo.InvariantCulture) + "%", Quoted("leakage"));
        Assert.Equal(rule.Cgh!.Value.ToString("F2", CultureInfo.InvariantCulture), Quoted("cgh"));
        Assert.Equal((rule.Efficiency!.Value * 100).ToString("F1", CultureInfo.InvariantCulture) + "%", Quoted("efficiency"));
        var allocation = BudgetAllocator.Allocate(peru.Snapshot.Targeting, new AllocationQuery(1_000_000, AdminLevel.Department, TargetingScope.Country,
            "pobreza_pct", "pobreza_extrema_pct",
            [AllocationFormula.Proportional("population", AllocationBasis.Population), AllocationFormula.Proportional("equal", AllocationBasis.Equal)]));
        Assert.Equal(25, allocation.Units.Length);
        Assert.Equal((allocation.Formulas[0].DistanceToPoor!.Value * 100).ToString("F1", CultureInfo.InvariantCulture) + "%", Quoted("distance-population"));
        Assert.Equal((allocation.Formulas[1].DistanceToPoor!.Value * 100).ToString("F1", CultureInfo.InvariantCulture) + "%", Quoted("distance-equal"));
    }

    private static void AssertScope(IReadOnlyList<PeruOracle.Unit> all, string indicator, List<PeruOracle.Unit> units, ScopeFigures scope)
    {
        Assert.Equal(units.Count, scope.Units);
        Assert.Equal(units.Sum(u => u.Population!.Value), scope.Population);
        Assert.Equal(units.Sum(u => u.Poor(indicator)), scope.Poor, scope.Poor * 1e-12);
        Assert.Equal(all.Count - units.Count, scope.UnitsWithoutData);
        Assert.Equal(all.Except(units).Sum(u => u.Population is > 0 ? u.Population.Value : 0), scope.PopulationWithoutData);
    }

    /// <summary>Every measure of <paramref name="rule"/> from its definition over the oracle's units.</summary>
    private static void AssertMeasures(List<PeruOracle.Unit> units, List<PeruOracle.Unit> selected, string indicator, RuleResult rule)
    {
        var n = units.Sum(u => u.Population!.Value);
        var q = units.Sum(u => u.Poor(indicator));
        var population = selected.Sum(u => u.Population!.Value);
        var poor = selected.Sum(u => u.Poor(indicator));
        Assert.Equal(selected.Count, rule.Units);
        Assert.Equal(population, rule.Population);
        Assert.Equal(poor, rule.Poor, Math.Max(poor, 1) * 1e-12);
        Assert.Equal(poor / q, rule.Coverage!.Value, 12);
        Assert.Equal(1 - (poor / q), rule.Undercoverage!.Value, 12);
        Assert.Equal((population - poor) / population, rule.Leakage!.Value, 12);
        Assert.Equal(poor / population, rule.Precision!.Value, 12);
        Assert.Equal(poor / population / (q / n), rule.Cgh!.Value, 12);

        // The greedy bound, from scratch: by poor per person, whole units, then a fraction of the next.
        var bound = 0.0;
        var room = population;
        foreach (var unit in units.OrderByDescending(u => u.Poor(indicator) / u.Population!.Value))
        {
            var take = Math.Min(room, unit.Population!.Value);
            bound += take * unit.Poor(indicator) / unit.Population.Value;
            room -= take;
            if (room <= 0)
            {
                break;
            }
        }

        Assert.Equal(Math.Max(bound, poor), rule.BestPoorSamePopulation, bound * 1e-12);
        Assert.Equal(poor / Math.Max(bound, poor), rule.Efficiency!.Value, 12);
        Assert.InRange(rule.Efficiency!.Value, 0, 1);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TileServer.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("no TileServer.sln above the test binaries");
    }
}
