using TileServer.Core.Dataset;
using TileServer.Core.Tests.Dataset;
using Xunit.Abstractions;

namespace TileServer.Core.Tests.Aggregation;

/// <summary>
/// Issue 6's correctness list on Peru as the server loads it: the aggregator of the snapshot, built from the cleaned
/// district coverage (<see cref="DatasetLoader"/>).
/// </summary>
public sealed class PeruAggregationTests(PeruDatasetFixture peru, ITestOutputHelper output) : IClassFixture<PeruDatasetFixture>
{
    private DatasetSnapshot Snapshot => peru.Snapshot;

    private double?[] Column(string name)
    {
        var index = Snapshot.Districts.Columns.Select(c => c.Name).ToList().IndexOf(name);
        return [.. Snapshot.Districts.Units.Select(u => u.Values[index] as double?)];
    }

    /// <summary>Each department's cleaned (dissolved) polygon gives back the population of its own districts within
    /// 0.01% and their population-weighted rates within 0.01 percentage points; neighbours only touch it.</summary>
    [PeruFact]
    public void DepartmentPolygonsGiveBackTheirOwnPopulationAndRates()
    {
        var population = Column("poblacion");
        var poverty = Column("pobreza_pct");
        var extreme = Column("pobreza_extrema_pct");
        var districts = Snapshot.Districts.Units;
        double worstPopulation = 0, worstPoverty = 0;
        foreach (var department in Snapshot.Departments.Units)
        {
            var members = Enumerable.Range(0, districts.Count).Where(i => districts[i].DepartmentCode == department.Code).ToList();
            var expected = members.Sum(i => population[i] ?? 0);
            double Rate(double?[] rate)
            {
                var withBoth = members.Where(i => population[i] is not null && rate[i] is not null).ToList();
                return withBoth.Sum(i => population[i]!.Value * rate[i]!.Value) / withBoth.Sum(i => population[i]!.Value);
            }

            var result = Snapshot.Aggregator.Aggregate(department.Geometry, includeBreakdown: true);

            var populationError = (result.Population - expected) / expected;
            var povertyError = result.Estimate("pobreza_pct")!.Value - Rate(poverty);
            worstPopulation = Math.Max(worstPopulation, Math.Abs(populationError));
            worstPoverty = Math.Max(worstPoverty, Math.Abs(povertyError));
            output.WriteLine($"{department.Code} {department.Name}: {members.Count} districts, {result.Districts} contributing, population {populationError:P5}, pobreza_pct {povertyError:+0.00000;-0.00000} points");
            Assert.Equal(members.Count, result.Districts);
            Assert.Equal(expected, result.Population, expected * 1e-4);
            Assert.Equal(Rate(poverty), result.Estimate("pobreza_pct")!.Value, 0.01);
            Assert.Equal(Rate(extreme), result.Estimate("pobreza_extrema_pct")!.Value, 0.01);
            Assert.All(result.Breakdown!.Where(s => s.Fraction > 1e-6), s => Assert.StartsWith(department.Code, s.Code, StringComparison.Ordinal));
        }

        output.WriteLine($"worst: population {worstPopulation:P5}, pobreza_pct {worstPoverty:F5} points");
    }

    [PeruTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RandomPolygonCutInTwoGivesPopulationsThatAddUp(int seed)
    {
        var random = new Random(seed);
        var whole = PlaneCut.RandomStarPolygon(random, -78, -14, 6, 0.3, 1.2);
        var (left, right) = PlaneCut.CutInPlane(whole, random);

        var all = Snapshot.Aggregator.Aggregate(whole);
        var a = Snapshot.Aggregator.Aggregate(left);
        var b = Snapshot.Aggregator.Aggregate(right);

        output.WriteLine($"seed {seed}: {all.Districts} districts, {all.Population:F1} = {a.Population:F1} + {b.Population:F1}, relative error {(a.Population + b.Population - all.Population) / all.Population:E2}");
        Assert.True(a.Population > 0 && b.Population > 0, "both halves hold people");
        Assert.Equal(all.Population, a.Population + b.Population, all.Population * 1e-9);
        Assert.Equal(all.AreaKm2, a.AreaKm2 + b.AreaKm2, all.AreaKm2 * 1e-9);
    }

    [PeruFact]
    public void WholeCountryBoxGivesTheTotalPopulationOfTheMatchedDistricts()
    {
        var result = Snapshot.Aggregator.AggregateBox(-82, -19, -68, 0.5);

        var population = Column("poblacion");
        var total = population.Sum(p => p ?? 0);
        Assert.Equal(total, result.Population, total * 1e-9);
        Assert.Equal(Snapshot.Districts.Units.Count, result.Districts);
        Assert.Equal(population.Count(p => p is null), result.DistrictsWithoutPopulation);
        var cleanedArea = Snapshot.Districts.Units.Sum(u => u.AreaKm2);
        Assert.Equal(cleanedArea, result.AreaKm2, cleanedArea * 1e-9);
        output.WriteLine($"population {result.Population:F0}, poverty {result.Estimate("pobreza_pct"):F3} %, area {result.AreaKm2:F0} km², coverage {result.Coverage:F4}");
    }

    [PeruFact]
    public void BoxOverThePacificHasNoDistrictsAndZeroCoverage()
    {
        var result = Snapshot.Aggregator.AggregateBox(-85, -15, -82, -10);

        Assert.Equal(0, result.Districts);
        Assert.Equal(0, result.Coverage);
        Assert.Equal(0, result.Population);
        Assert.Null(result.Estimate("pobreza_pct"));
    }

    [PeruFact]
    public void CircleAroundCuscoHoldsTheCityOfCusco()
    {
        var result = Snapshot.Aggregator.AggregateCircle(-71.978, -13.532, 50, includeBreakdown: true);

        var cusco = result.Breakdown!.Single(s => s.Code == "080101");
        Assert.Equal(1, cusco.Fraction, 1e-12);
        Assert.True(result.Districts > 20);
        Assert.Equal(1, result.Coverage, 1e-9);
        output.WriteLine($"{result.Districts} districts, population {result.Population:F0}, pobres {result.DerivedCounts[0].Value:F0}, area {result.AreaKm2:F1} of {result.QueryAreaKm2:F1} km²");
    }

    /// <summary>The snapshot's aggregator is configured from <see cref="DatasetOptions"/>: population weight, the
    /// other numeric columns as rates, and the derived counts of poor and extremely poor persons.</summary>
    [PeruFact]
    public void AggregatorIsConfiguredFromTheDatasetOptions()
    {
        var configuration = Snapshot.Aggregator.Configuration;

        Assert.Equal("poblacion", configuration.WeightColumn);
        Assert.Equal(["pobreza_pct", "pobreza_extrema_pct", "idh", "vulnerabilidad_alimentaria"], configuration.IntensiveColumns);
        Assert.Equal(["pobres", "pobres_extremos"], configuration.DerivedCounts.Select(d => d.Name));
        Assert.Equal(Snapshot.Districts.Units.Count, Snapshot.Aggregator.Count);
        Assert.Empty(Snapshot.Aggregator.RepairedDistricts);
        Assert.Contains("aggregator", Snapshot.Report.TimingsMs.Keys);
    }
}
