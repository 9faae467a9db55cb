using TileServer.Core.Model;
using TileServer.Core.Targeting;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Targeting;

/// <summary>
/// Every figure of <see cref="TargetingEngine"/> on <see cref="HandMadeCountry"/>, worked out by hand in the comments
/// (N = 20000, Q = 10500, Q / N = 0.525; ranking by pobreza_pct, worst first, ties by code: 010101 (80),
/// 020101 (60), 010102 (50), 010201 (50), 020102 (40), 030102 (20)).
/// </summary>
public class HandMadeTargetingTests(HandMadeCountry country) : IClassFixture<HandMadeCountry>
{
    private const double Tolerance = 1e-12;

    private TargetingResult Evaluate(params TargetingRule[] rules) => Evaluate(TargetingScope.Country, AdminLevel.District, rules);

    private TargetingResult Evaluate(TargetingScope scope, AdminLevel level, params TargetingRule[] rules) =>
        TargetingEngine.Evaluate(country.Snapshot.Targeting, new TargetingQuery(level, scope, "pobreza_pct", rules));

    private string[] Codes(TargetingResult result, ReadOnlyMemory<int> units) =>
        [.. units.ToArray().Select(u => result.Layer.Units[u].Code)];

    [Fact]
    public void The_scope_counts_units_with_data_and_reports_the_others_apart()
    {
        var scope = Evaluate(TargetingRule.WorstUnits("all", 100)).Scope;

        Assert.Equal(6, scope.Units);
        Assert.Equal(20000, scope.Population);
        Assert.Equal(10500, scope.Poor, Tolerance);
        // 020103 has no population, 030101 no poverty rate (its 3000 persons are known).
        Assert.Equal(2, scope.UnitsWithoutData);
        Assert.Equal(3000, scope.PopulationWithoutData);
    }

    [Fact]
    public void A_50_percent_threshold_takes_both_tied_units_and_every_measure_follows_the_definitions()
    {
        var result = Evaluate(TargetingRule.AtThreshold("half", 50));
        var rule = Assert.Single(result.Results);

        // 010101, 020101, 010102, 010201: population 1000 + 10000 + 2000 + 4000, poor 800 + 6000 + 1000 + 2000.
        Assert.Equal(["010101", "020101", "010102", "010201"], Codes(result, rule.Selected));
        Assert.Equal(4, rule.Units);
        Assert.Equal(17000, rule.Population);
        Assert.Equal(9800, rule.Poor, Tolerance);
        Assert.Equal(9800.0 / 10500, rule.Coverage!.Value, Tolerance);
        Assert.Equal(700.0 / 10500, rule.Undercoverage!.Value, Tolerance);
        Assert.Equal(7200.0 / 17000, rule.Leakage!.Value, Tolerance);
        Assert.Equal(9800.0 / 17000, rule.Precision!.Value, Tolerance);
        Assert.Equal(9800.0 / 17000 / 0.525, rule.Cgh!.Value, Tolerance);
        // The selection is the four highest rates: the bound with 17000 persons is exactly its poor.
        Assert.Equal(9800, rule.BestPoorSamePopulation, Tolerance);
        Assert.Equal(1, rule.Efficiency!.Value, Tolerance);
        Assert.Equal(0, rule.UnrankedUnits);
        Assert.True(rule.Skipped.IsEmpty);
    }

    [Fact]
    public void Top_n_breaks_ties_by_code()
    {
        var result = Evaluate(TargetingRule.WorstUnits("three", 3));
        var rule = Assert.Single(result.Results);

        // 010102 and 010201 tie at 50: the lower code goes first.
        Assert.Equal(["010101", "020101", "010102"], Codes(result, rule.Selected));
        Assert.Equal(13000, rule.Population);
        Assert.Equal(7800, rule.Poor, Tolerance);
        Assert.Equal(1, rule.Efficiency!.Value, Tolerance);
    }

    [Fact]
    public void A_population_budget_skips_units_that_do_not_fit_and_says_so()
    {
        var result = Evaluate(TargetingRule.WithinPopulation("5000 persons", 5000));
        var rule = Assert.Single(result.Results);

        // 010101 fits (1000); 020101 (10000) does not; 010102 fits (3000); 010201 (4000) does not; 020102 fits
        // (3500); 030102 (2500) does not, but nothing after it was taken, so it is not reported as passed over.
        Assert.Equal(["010101", "010102", "020102"], Codes(result, rule.Selected));
        Assert.Equal(["020101", "010201"], Codes(result, rule.Skipped));
        Assert.Equal(14000, rule.SkippedPopulation);
        Assert.Equal(3500, rule.Population);
        Assert.Equal(2000, rule.Poor, Tolerance);
        Assert.Equal(2000.0 / 10500, rule.Coverage!.Value, Tolerance);
        Assert.Equal(1500.0 / 3500, rule.Leakage!.Value, Tolerance);
        Assert.Equal(2000.0 / 3500 / 0.525, rule.Cgh!.Value, Tolerance);
        // Bound with 3500 persons: 010101 whole (1000 persons, 800 poor), then 2500 persons of 020101 at 60%: 1500.
        Assert.Equal(2300, rule.BestPoorSamePopulation, Tolerance);
        Assert.Equal(2000.0 / 2300, rule.Efficiency!.Value, Tolerance);
    }

    [Fact]
    public void A_money_budget_is_the_population_budget_of_floor_budget_over_transfer()
    {
        // 6001000 / 1200 = 5000.83: 5000 persons, the rule above.
        var result = Evaluate(TargetingRule.WithinBudget("money", 6_001_000, 1200), TargetingRule.WithinPopulation("persons", 5000));

        Assert.Equal(5000, result.Results[0].Rule.PopulationBudget);
        Assert.Equal(Codes(result, result.Results[1].Selected), Codes(result, result.Results[0].Selected));
        Assert.Equal(result.Results[1].Poor, result.Results[0].Poor);
    }

    [Fact]
    public void A_budget_that_holds_everyone_takes_every_unit_with_data()
    {
        var rule = Assert.Single(Evaluate(TargetingRule.WithinPopulation("all", 1e9)).Results);

        Assert.Equal(6, rule.Units);
        Assert.Equal(1, rule.Coverage!.Value, Tolerance);
        Assert.Equal(0, rule.Undercoverage!.Value, Tolerance);
        Assert.Equal(1, rule.Cgh!.Value, Tolerance);
    }

    [Fact]
    public void A_rule_may_select_by_another_indicator_and_is_measured_against_the_request_indicator()
    {
        var result = Evaluate(TargetingRule.AtThreshold("low idh", 0.35) with { Indicator = "idh", Direction = RuleDirection.Below });
        var rule = Assert.Single(result.Results);

        // idh ascending over units with data: 010101 (0.30), 010201 (0.35), ... 020103 (0.20) and 030101 (0.25) have
        // lower idh but no data, so they are never selected.
        Assert.Equal(["010101", "010201"], Codes(result, rule.Selected));
        Assert.Equal("idh", rule.Rule.Indicator);
        Assert.Equal(5000, rule.Population);
        Assert.Equal(2800, rule.Poor, Tolerance);
        Assert.Equal(2200.0 / 5000, rule.Leakage!.Value, Tolerance);
        // Bound with 5000 persons: 010101 (800) + 4000 persons of 020101 at 60% (2400).
        Assert.Equal(3200, rule.BestPoorSamePopulation, Tolerance);
        Assert.Equal(2800.0 / 3200, rule.Efficiency!.Value, Tolerance);
    }

    [Fact]
    public void An_empty_selection_has_no_ratios_of_its_population()
    {
        var rule = Assert.Single(Evaluate(TargetingRule.WorstUnits("none", 0)).Results);

        Assert.Equal(0, rule.Units);
        Assert.Equal(0, rule.Coverage!.Value);
        Assert.Equal(1, rule.Undercoverage!.Value);
        Assert.Null(rule.Leakage);
        Assert.Null(rule.Precision);
        Assert.Null(rule.Cgh);
        Assert.Equal(0, rule.BestPoorSamePopulation);
        Assert.Null(rule.Efficiency);
    }

    [Fact]
    public void By_department_lists_every_department_with_data_in_code_order()
    {
        var rule = Assert.Single(Evaluate(TargetingRule.AtThreshold("half", 50)).Results);

        // 01: all three (poor 3800 of 3800); 02: 020101 (6000 of 6200); 03: none of 030102's 500.
        Assert.Equal(["01", "02", "03"], rule.ByDepartment.Select(d => d.Code));
        Assert.Equal("UNO", rule.ByDepartment[0].Name);
        Assert.Equal((3, 7000.0), (rule.ByDepartment[0].Units, rule.ByDepartment[0].Population));
        Assert.Equal(1, rule.ByDepartment[0].Coverage!.Value, Tolerance);
        Assert.Equal((1, 10000.0), (rule.ByDepartment[1].Units, rule.ByDepartment[1].Population));
        Assert.Equal(6000.0 / 6200, rule.ByDepartment[1].Coverage!.Value, Tolerance);
        Assert.Equal((0, 0.0, 0.0), (rule.ByDepartment[2].Units, rule.ByDepartment[2].Population, rule.ByDepartment[2].Poor));
        Assert.Equal(0, rule.ByDepartment[2].Coverage!.Value);
    }

    [Fact]
    public void A_department_scope_keeps_its_units_and_its_own_totals()
    {
        var result = Evaluate(TargetingScope.Department("02"), AdminLevel.District, TargetingRule.AtThreshold("half", 50));
        var rule = Assert.Single(result.Results);

        // 020101 and 020102 have data (N 10500, Q 6200); 020103 has no population.
        Assert.Equal((2, 10500.0, 1, 0.0), (result.Scope.Units, result.Scope.Population, result.Scope.UnitsWithoutData, result.Scope.PopulationWithoutData));
        Assert.Equal(6200, result.Scope.Poor, Tolerance);
        Assert.Equal(["020101"], Codes(result, rule.Selected));
        Assert.Equal(6000.0 / 6200, rule.Coverage!.Value, Tolerance);
        Assert.Equal(["02"], rule.ByDepartment.Select(d => d.Code));
    }

    [Fact]
    public void A_province_scope_keeps_its_districts()
    {
        var result = Evaluate(TargetingScope.Province("0101"), AdminLevel.District, TargetingRule.WorstUnits("all", 10));

        Assert.Equal(["010101", "010102"], Codes(result, result.Results[0].Selected));
        Assert.Equal(1800, result.Scope.Poor, Tolerance);
    }

    [Fact]
    public void An_area_scope_holds_the_units_whose_label_point_lies_inside()
    {
        // A triangle over the centres of the first two squares (-79.5 and -78.5) and part of the third square, but
        // not its centre (-77.5): only 010101 and 010102.
        var area = SmallLayers.Factory.CreatePolygon([new(-80, -10), new(-77.7, -9.5), new(-80, -9), new(-80, -10)]);

        var result = Evaluate(TargetingScope.Within(area), AdminLevel.District, TargetingRule.WorstUnits("all", 10));

        Assert.Equal(["010101", "010102"], Codes(result, result.Results[0].Selected));
        Assert.Equal(3000, result.Scope.Population);
    }

    [Fact]
    public void Province_level_ranks_provinces_by_their_population_weighted_rate()
    {
        // 0101: 3000 persons, (80×1000 + 50×2000) / 3000 = 60%; 0102: 4000 at 50%; 0201: 10500 persons (020103 has
        // none), (60×10000 + 40×500) / 10500 = 59.05%; 0301: 5500 persons, rate from 030102 alone: 20%.
        var result = Evaluate(TargetingScope.Country, AdminLevel.Province, TargetingRule.AtThreshold("59", 59));
        var rule = Assert.Single(result.Results);

        Assert.Equal(["0101", "0201"], Codes(result, rule.Selected));
        Assert.Equal(23000, result.Scope.Population);
        Assert.Equal(1800 + 2000 + 6200 + 1100, result.Scope.Poor, 1e-9);
        Assert.Equal(13500, rule.Population);
        Assert.Equal(8000, rule.Poor, 1e-9);
    }

    [Fact]
    public void Results_keep_the_order_of_the_rules()
    {
        var result = Evaluate(TargetingRule.WorstUnits("b", 1), TargetingRule.AtThreshold("a", 50), TargetingRule.WorstUnits("c", 2));

        Assert.Equal(["b", "a", "c"], result.Results.Select(r => r.Rule.Name));
        Assert.Equal([1, 4, 2], result.Results.Select(r => r.Units));
    }

    [Fact]
    public void A_rule_by_a_column_that_is_not_a_share_still_ranks()
    {
        // altitud (metres) cannot say who is poor, but a rule may select the highest districts: 020101 (3900),
        // 010102 (3400); 020103 (4100) has no population.
        var result = Evaluate(TargetingRule.WorstUnits("highest", 2) with { Indicator = "altitud" });

        Assert.Equal(["020101", "010102"], Codes(result, result.Results[0].Selected));
    }

    public static TheoryData<string, TargetingRule, string> BadIndicators() => new()
    {
        { "nope", TargetingRule.WorstUnits("r", 1), "indicator" },
        { "poblacion", TargetingRule.WorstUnits("r", 1), "indicator" },
        { "altitud", TargetingRule.WorstUnits("r", 1), "indicator" },
        { "pobreza_pct", TargetingRule.WorstUnits("r", 1) with { Indicator = "nope" }, "rules[1].indicator" },
        { "pobreza_pct", TargetingRule.WorstUnits("r", 1) with { Indicator = "distrito" }, "rules[1].indicator" },
    };

    [Theory]
    [MemberData(nameof(BadIndicators))]
    public void An_unusable_indicator_names_its_field(string indicator, TargetingRule rule, string field)
    {
        var error = Assert.Throws<InvalidTargetingRequestException>(() => TargetingEngine.Evaluate(country.Snapshot.Targeting,
            new TargetingQuery(AdminLevel.District, TargetingScope.Country, indicator, [TargetingRule.WorstUnits("ok", 1), rule])));

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void An_unknown_department_or_province_or_an_empty_area_names_the_scope()
    {
        var rule = TargetingRule.WorstUnits("r", 1);
        var ocean = SmallLayers.Box(-100, -10, -99, -9);

        Assert.Equal("scope.department", Assert.Throws<InvalidTargetingRequestException>(() => Evaluate(TargetingScope.Department("09"), AdminLevel.District, rule)).Field);
        Assert.Equal("scope.province", Assert.Throws<InvalidTargetingRequestException>(() => Evaluate(TargetingScope.Province("0199"), AdminLevel.District, rule)).Field);
        Assert.Equal("scope", Assert.Throws<InvalidTargetingRequestException>(() => Evaluate(TargetingScope.Within(ocean), AdminLevel.District, rule)).Field);
    }

    [Fact]
    public void No_rules_or_more_than_100_are_refused()
    {
        Assert.Equal("rules", Assert.Throws<InvalidTargetingRequestException>(() => Evaluate()).Field);
        var many = Enumerable.Range(0, TargetingEngine.MaxRules + 1).Select(i => TargetingRule.WorstUnits($"r{i}", i)).ToArray();
        Assert.Equal("rules", Assert.Throws<InvalidTargetingRequestException>(() => Evaluate(many)).Field);
    }

    [Fact]
    public void Label_points_lie_inside_their_units_near_the_centre_of_a_square()
    {
        var labels = country.Snapshot.LabelPoints;
        var districts = country.Snapshot.Districts.Units;

        for (var u = 0; u < districts.Count; u++)
        {
            var point = labels.Of(AdminLevel.District, u);
            var centre = HandMadeCountry.Centre(districts[u].Code);
            Assert.True(districts[u].Geometry.Contains(SmallLayers.Factory.CreatePoint(new NetTopologySuite.Geometries.Coordinate(point.Lon, point.Lat))));
            // The pole of inaccessibility of a square is its centre, found to 1% of its size.
            Assert.InRange(Math.Abs(point.Lon - centre.X) + Math.Abs(point.Lat - centre.Y), 0, 0.02);
        }
    }
}
