using TileServer.Core.Tests.Support;
using Xunit.Abstractions;

namespace TileServer.Core.Tests.Aggregation;

/// <summary>Aggregation over the raw Peru districts (overlapping slightly, not yet a clean coverage).</summary>
public sealed class PeruAggregationTests(ITestOutputHelper output)
{
    [PeruFact]
    public void WholeCountryBoxGivesTheTotalPopulationOfAllDistricts()
    {
        var result = PeruDistricts.Aggregator.AggregateBox(-82, -19, -68, 0.5);

        var total = PeruDistricts.Columns["poblacion"].Sum(p => p ?? 0);
        Assert.Equal(total, result.Population, total * 1e-9);
        Assert.Equal(PeruDistricts.Districts.Count, result.Districts);
        Assert.Equal(PeruDistricts.Columns["poblacion"].Count(p => p is null), result.DistrictsWithoutPopulation);
        output.WriteLine($"population {result.Population:F0}, poverty {result.Estimate("pobreza_pct"):F3} %, area {result.AreaKm2:F0} km², coverage {result.Coverage:F4}");
    }

    [PeruFact]
    public void BoxOverThePacificHasNoDistricts()
    {
        var result = PeruDistricts.Aggregator.AggregateBox(-85, -15, -82, -10);

        Assert.Equal(0, result.Districts);
        Assert.Equal(0, result.Coverage);
    }

    /// <summary>
    /// Each department's dissolved polygon against the sum of its own districts. On the raw polygons neighbours from
    /// other departments overlap the border slightly and add a little population, so the bound here is loose; the
    /// exact check (0.01%) runs on the clean synthetic coverage. The observed deviations are written to the output.
    /// </summary>
    [PeruFact]
    public void DepartmentPolygonsGiveBackCloseToTheirOwnPopulation()
    {
        var population = PeruDistricts.Columns["poblacion"];
        var poverty = PeruDistricts.Columns["pobreza_pct"];
        double worstPopulation = 0, worstPoverty = 0;
        foreach (var department in PeruDistricts.Districts.Select(d => d.Code[..2]).Distinct().Order())
        {
            var members = Enumerable.Range(0, PeruDistricts.Districts.Count).Where(i => PeruDistricts.Districts[i].Code.StartsWith(department, StringComparison.Ordinal)).ToList();
            var expected = members.Sum(i => population[i] ?? 0);
            var withBoth = members.Where(i => population[i] is not null && poverty[i] is not null).ToList();
            var expectedPoverty = withBoth.Sum(i => population[i]!.Value * poverty[i]!.Value) / withBoth.Sum(i => population[i]!.Value);

            var result = PeruDistricts.Aggregator.Aggregate(PeruDistricts.Dissolve(department));

            var populationError = (result.Population - expected) / expected;
            var povertyError = result.Estimate("pobreza_pct")!.Value - expectedPoverty;
            worstPopulation = Math.Max(worstPopulation, Math.Abs(populationError));
            worstPoverty = Math.Max(worstPoverty, Math.Abs(povertyError));
            output.WriteLine($"{department}: {members.Count} districts, {result.Districts} contributing, population {populationError:P4}, pobreza_pct {povertyError:+0.0000;-0.0000} points");
            Assert.True(result.Population >= expected * (1 - 1e-6), $"department {department} lost population: {populationError:P4}");
        }

        output.WriteLine($"worst: population {worstPopulation:P4}, pobreza_pct {worstPoverty:F4} points");
        Assert.InRange(worstPopulation, 0, 0.01);
        Assert.InRange(worstPoverty, 0, 0.05);
    }

    [PeruFact]
    public void CircleAroundCuscoHoldsTheCityOfCusco()
    {
        var result = PeruDistricts.Aggregator.AggregateCircle(-71.978, -13.532, 50, includeBreakdown: true);

        var cusco = result.Breakdown!.Single(s => s.Code == "080101");
        Assert.Equal(1, cusco.Fraction, 1e-12);
        Assert.True(result.Districts > 20);
        Assert.Equal(1, result.Coverage, 0.02);
        output.WriteLine($"{result.Districts} districts, population {result.Population:F0}, pobres {result.DerivedCounts[0].Value:F0}, area {result.AreaKm2:F1} of {result.QueryAreaKm2:F1} km²");
    }
}
