using System.Text;
using TileServer.Core.Model;
using TileServer.Core.Targeting;

namespace TileServer.Core.Tests.Targeting;

public class TargetingRequestReaderTests
{
    private static readonly TargetingReadOptions Options = new();

    private static TargetingQuery Targeting(string json) => TargetingRequestReader.ReadTargeting(Encoding.UTF8.GetBytes(json), Options);

    private static AllocationQuery Allocation(string json) => TargetingRequestReader.ReadAllocation(Encoding.UTF8.GetBytes(json), Options);

    [Fact]
    public void A_full_targeting_request_is_read_with_every_rule_kind()
    {
        var query = Targeting("""
            {"level": "province", "scope": {"department": "05"}, "indicator": "pobreza_extrema_pct",
             "rules": [{"name": "t", "threshold": 50}, {"top": 100, "indicator": "idh", "direction": "below"},
                       {"name": "p", "populationBudget": 2000000}, {"name": "m", "budget": 500000000, "perPerson": 1200}]}
            """);

        Assert.Equal(AdminLevel.Province, query.Level);
        Assert.Equal((ScopeKind.Department, "05"), (query.Scope.Kind, query.Scope.Code));
        Assert.Equal("pobreza_extrema_pct", query.Indicator);
        Assert.Equal([RuleKind.Threshold, RuleKind.Top, RuleKind.PopulationBudget, RuleKind.MoneyBudget], query.Rules.Select(r => r.Kind));
        Assert.Equal(50, query.Rules[0].Threshold);
        Assert.Null(query.Rules[0].Indicator);
        Assert.Equal(("rules[1]", 100, "idh", RuleDirection.Below), (query.Rules[1].Name, query.Rules[1].Top, query.Rules[1].Indicator, query.Rules[1].Direction));
        Assert.Equal(2_000_000, query.Rules[2].PopulationBudget);
        Assert.Equal(416_666, query.Rules[3].PopulationBudget);
    }

    [Fact]
    public void Defaults_are_the_country_districts_and_the_configured_indicator()
    {
        var query = Targeting("""{"rules": [{"threshold": 50}]}""");

        Assert.Equal(AdminLevel.District, query.Level);
        Assert.Same(TargetingScope.Country, query.Scope);
        Assert.Equal("pobreza_pct", query.Indicator);
    }

    [Fact]
    public void A_geojson_scope_is_an_area()
    {
        var query = Targeting("""
            {"scope": {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[-75, -14], [-73, -14], [-73, -12], [-75, -14]]]}},
             "rules": [{"top": 1}]}
            """);

        Assert.Equal(ScopeKind.Area, query.Scope.Kind);
        Assert.Equal(2, query.Scope.Area!.Area, 9);
    }

    [Fact]
    public void A_self_intersecting_scope_is_repaired_and_says_so()
    {
        var query = Targeting("""{"scope": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "rules": [{"top": 1}]}""");

        Assert.NotNull(query.Scope.Repair);
    }

    [Fact]
    public void A_full_allocation_request_is_read()
    {
        var query = Allocation("""
            {"budget": 1000000000, "level": "province", "scope": {"province": "0501"},
             "formulas": ["population", "poor", "extremePoor", "equal", {"name": "mix", "weights": {"poor": 0.7, "population": 0.3}}]}
            """);

        Assert.Equal(1_000_000_000, query.Budget);
        Assert.Equal(AdminLevel.Province, query.Level);
        Assert.Equal((ScopeKind.Province, "0501"), (query.Scope.Kind, query.Scope.Code));
        Assert.Equal(["population", "poor", "extremePoor", "equal", "mix"], query.Formulas.Select(f => f.Name));
        Assert.Equal([new FormulaWeight(AllocationBasis.Poor, 0.7), new FormulaWeight(AllocationBasis.Population, 0.3)], query.Formulas[4].Weights);
        Assert.Equal("pobreza_extrema_pct", query.ExtremeIndicator);
    }

    [Fact]
    public void Allocation_defaults_to_departments()
    {
        Assert.Equal(AdminLevel.Department, Allocation("""{"budget": 10, "formulas": ["poor"]}""").Level);
    }

    /// <summary>Each bad field is named by its JSON path.</summary>
    [Theory]
    [InlineData("", "")]
    [InlineData("[1, 2]", "")]
    [InlineData("{\"rules\": [{\"threshold\": 50}]", "")]
    [InlineData("{\"rules\": [{\"threshold\": 50}], \"rules\": []}", "rules")]
    [InlineData("{}", "rules")]
    [InlineData("{\"rules\": []}", "rules")]
    [InlineData("{\"rules\": {}}", "rules")]
    [InlineData("{\"rules\": [{\"threshold\": 50}], \"level\": \"department\"}", "level")]
    [InlineData("{\"rules\": [{\"threshold\": 50}], \"level\": \"distrito\"}", "level")]
    [InlineData("{\"rules\": [{\"threshold\": 50}], \"level\": 3}", "level")]
    [InlineData("{\"rules\": [{\"threshold\": 50}], \"indicator\": 3}", "indicator")]
    [InlineData("{\"rules\": [{\"threshold\": 50}], \"indicator\": \"\"}", "indicator")]
    [InlineData("{\"rules\": [{\"threshold\": 50}], \"treshold\": 1}", "treshold")]
    [InlineData("{\"rules\": [{\"threshold\": 50}], \"scope\": 5}", "scope")]
    [InlineData("{\"rules\": [{\"threshold\": 50}], \"scope\": {}}", "scope")]
    [InlineData("{\"rules\": [{\"threshold\": 50}], \"scope\": {\"department\": 5}}", "scope.department")]
    [InlineData("{\"rules\": [{\"threshold\": 50}], \"scope\": {\"department\": \"05\", \"province\": \"0501\"}}", "scope")]
    [InlineData("{\"rules\": [{\"threshold\": 50}], \"scope\": {\"district\": \"050101\"}}", "scope.district")]
    [InlineData("{\"rules\": [{\"threshold\": 50}], \"scope\": {\"type\": \"FeatureCollection\", \"features\": []}}", "scope")]
    [InlineData("{\"rules\": [{\"threshold\": 50}], \"scope\": {\"type\": \"Point\", \"coordinates\": [0, 0]}}", "scope")]
    [InlineData("{\"rules\": [{\"threshold\": 50}], \"scope\": {\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [500000, 0], [0, 1], [0, 0]]]}}", "scope")]
    [InlineData("{\"rules\": [5]}", "rules[0]")]
    [InlineData("{\"rules\": [{\"name\": \"x\"}]}", "rules[0]")]
    [InlineData("{\"rules\": [{\"threshold\": 50, \"top\": 3}]}", "rules[0]")]
    [InlineData("{\"rules\": [{\"threshold\": 50}, {\"threshold\": \"50\"}]}", "rules[1].threshold")]
    [InlineData("{\"rules\": [{\"threshold\": 1e400}]}", "rules[0].threshold")]
    [InlineData("{\"rules\": [{\"top\": 2.5}]}", "rules[0].top")]
    [InlineData("{\"rules\": [{\"top\": -1}]}", "rules[0].top")]
    [InlineData("{\"rules\": [{\"populationBudget\": -5}]}", "rules[0].populationBudget")]
    [InlineData("{\"rules\": [{\"budget\": -5, \"perPerson\": 10}]}", "rules[0].budget")]
    [InlineData("{\"rules\": [{\"budget\": 500}]}", "rules[0].perPerson")]
    [InlineData("{\"rules\": [{\"budget\": 500, \"perPerson\": 0}]}", "rules[0].perPerson")]
    [InlineData("{\"rules\": [{\"top\": 5, \"perPerson\": 10}]}", "rules[0].perPerson")]
    [InlineData("{\"rules\": [{\"top\": 5, \"direction\": \"up\"}]}", "rules[0].direction")]
    [InlineData("{\"rules\": [{\"top\": 5, \"indicator\": [1]}]}", "rules[0].indicator")]
    [InlineData("{\"rules\": [{\"top\": 5, \"name\": 7}]}", "rules[0].name")]
    [InlineData("{\"rules\": [{\"top\": 5, \"colour\": \"red\"}]}", "rules[0].colour")]
    [InlineData("{\"rules\": [{\"top\": 5, \"top\": 6}]}", "rules[0].top")]
    public void Bad_targeting_input_names_the_field(string json, string field)
    {
        var error = Assert.Throws<InvalidTargetingRequestException>(() => Targeting(json));

        Assert.Equal(field, error.Field);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void More_than_100_rules_are_refused_before_any_is_read()
    {
        var rules = string.Join(",", Enumerable.Repeat("{\"threshold\": 50}", TargetingEngine.MaxRules + 1));

        var error = Assert.Throws<InvalidTargetingRequestException>(() => Targeting($$"""{"rules": [{{rules}}]}"""));

        Assert.Equal("rules", error.Field);
        Assert.Contains("101", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exactly_100_rules_are_read()
    {
        var rules = string.Join(",", Enumerable.Repeat("{\"threshold\": 50}", TargetingEngine.MaxRules));

        Assert.Equal(TargetingEngine.MaxRules, Targeting($$"""{"rules": [{{rules}}]}""").Rules.Count);
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_refused()
    {
        var deep = new string('[', 40) + new string(']', 40);

        var error = Assert.Throws<InvalidTargetingRequestException>(() => Targeting($$"""{"rules": [{"threshold": 50}], "x": {{deep}}}"""));

        Assert.Contains("16", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"formulas\": [\"poor\"]}", "budget")]
    [InlineData("{\"budget\": -1, \"formulas\": [\"poor\"]}", "budget")]
    [InlineData("{\"budget\": 10.5, \"formulas\": [\"poor\"]}", "budget")]
    [InlineData("{\"budget\": 1e16, \"formulas\": [\"poor\"]}", "budget")]
    [InlineData("{\"budget\": \"10\", \"formulas\": [\"poor\"]}", "budget")]
    [InlineData("{\"budget\": 10}", "formulas")]
    [InlineData("{\"budget\": 10, \"formulas\": []}", "formulas")]
    [InlineData("{\"budget\": 10, \"formulas\": [\"rich\"]}", "formulas[0]")]
    [InlineData("{\"budget\": 10, \"formulas\": [\"poor\", 3]}", "formulas[1]")]
    [InlineData("{\"budget\": 10, \"formulas\": [\"poor\", \"poor\"]}", "formulas[1]")]
    [InlineData("{\"budget\": 10, \"formulas\": [{\"weights\": {\"poor\": 1}}]}", "formulas[0].name")]
    [InlineData("{\"budget\": 10, \"formulas\": [{\"name\": \"w\"}]}", "formulas[0].weights")]
    [InlineData("{\"budget\": 10, \"formulas\": [{\"name\": \"w\", \"weights\": {\"rich\": 1}}]}", "formulas[0].weights.rich")]
    [InlineData("{\"budget\": 10, \"formulas\": [{\"name\": \"w\", \"weights\": {\"poor\": -1}}]}", "formulas[0].weights.poor")]
    [InlineData("{\"budget\": 10, \"formulas\": [{\"name\": \"w\", \"weights\": {\"poor\": 0}}]}", "formulas[0].weights")]
    [InlineData("{\"budget\": 10, \"formulas\": [{\"name\": \"w\", \"weights\": {\"poor\": 1}, \"x\": 1}]}", "formulas[0].x")]
    [InlineData("{\"budget\": 10, \"formulas\": [\"poor\"], \"level\": \"country\"}", "level")]
    [InlineData("{\"budget\": 10, \"formulas\": [{\"name\": \"w\", \"weights\": {\"poor\": 1, \"poor\": 2}}]}", "formulas[0].weights.poor")]
    public void Bad_allocation_input_names_the_field(string json, string field)
    {
        var error = Assert.Throws<InvalidTargetingRequestException>(() => Allocation(json));

        Assert.Equal(field, error.Field);
    }
}
