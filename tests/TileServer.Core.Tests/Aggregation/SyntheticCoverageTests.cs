using TileServer.Core.Geodesy;

namespace TileServer.Core.Tests.Aggregation;

public sealed class SyntheticCoverageTests
{
    private static readonly Lazy<SyntheticCoverage> Coverage = new(() => SyntheticCoverage.Create(400, 20240611));

    private static SyntheticCoverage Synthetic => Coverage.Value;

    /// <summary>Four "departments": the districts whose Voronoi site falls in each quarter of the box's longitudes.</summary>
    public static TheoryData<int> Departments => new() { 0, 1, 2, 3 };

    [Theory]
    [MemberData(nameof(Departments))]
    public void DepartmentPolygonGivesBackItsOwnPopulationAndRates(int department)
    {
        var members = Enumerable.Range(0, Synthetic.Districts.Count)
            .Where(i => (int)((Synthetic.Sites[i].X - SyntheticCoverage.MinLon) / 1.0) == department)
            .ToList();
        var dissolved = NetTopologySuite.Coverage.CoverageUnion.Union([.. members.Select(i => Synthetic.Districts[i].Geometry)]);

        var result = Synthetic.Aggregator.Aggregate(dissolved, includeBreakdown: true);

        var expectedPopulation = Synthetic.TotalPopulation(members);
        Assert.Equal(expectedPopulation, result.Population, expectedPopulation * 1e-4);
        Assert.Equal(Synthetic.WeightedMean(members, "pobreza_pct"), result.Estimate("pobreza_pct")!.Value, 0.01);
        Assert.Equal(Synthetic.WeightedMean(members, "idh"), result.Estimate("idh")!.Value, 1e-4);
        Assert.Equal(members.Count, result.Districts);
        Assert.Equal(members.Select(i => Synthetic.Districts[i].Code).Order(), result.Breakdown!.Select(s => s.Code).Order());
        Assert.Equal(1, result.Coverage, 1e-9);
    }

    [Fact]
    public void WholeBoxGivesTheTotalPopulationOfAllDistricts()
    {
        var result = Synthetic.Aggregator.AggregateBox(-80, -20, -70, -5);

        var all = Enumerable.Range(0, Synthetic.Districts.Count).ToList();
        Assert.Equal(Synthetic.TotalPopulation(all), result.Population, 1e-6);
        Assert.Equal(Synthetic.Districts.Count, result.Districts);
        Assert.Equal(Synthetic.WeightedMean(all, "pobreza_pct"), result.Estimate("pobreza_pct")!.Value, 1e-9);
        var coverageArea = Synthetic.Districts.Sum(d => EqualAreaProjection.AreaSquareKilometres(d.Geometry));
        Assert.Equal(coverageArea, result.AreaKm2, coverageArea * 1e-9);
        Assert.True(result.Coverage < 1, "the query box is larger than the coverage");
    }

    [Fact]
    public void BoxOverTheOceanHasNoDistrictsAndZeroCoverage()
    {
        var result = Synthetic.Aggregator.AggregateBox(-90, -14, -85, -10, includeBreakdown: true);

        Assert.Equal(0, result.Districts);
        Assert.Equal(0, result.Coverage);
        Assert.Equal(0, result.Population);
        Assert.Null(result.Estimate("pobreza_pct"));
        Assert.Empty(result.Breakdown!);
        Assert.True(result.QueryAreaKm2 > 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void PolygonCutInTwoGivesPopulationsThatAddUp(int seed)
    {
        var random = new Random(seed);
        var whole = PlaneCut.RandomStarPolygon(random, -75, -13, 2, 0.3, 0.9);
        var (left, right) = PlaneCut.CutInPlane(whole, random);

        var all = Synthetic.Aggregator.Aggregate(whole);
        var a = Synthetic.Aggregator.Aggregate(left);
        var b = Synthetic.Aggregator.Aggregate(right);

        Assert.True(a.Population > 0 && b.Population > 0, "both halves hold people");
        Assert.Equal(all.Population, a.Population + b.Population, all.Population * 1e-9);
        Assert.Equal(all.AreaKm2, a.AreaKm2 + b.AreaKm2, all.AreaKm2 * 1e-9);
        var pobres = all.DerivedCounts[0].Value!.Value;
        Assert.Equal(pobres, a.DerivedCounts[0].Value!.Value + b.DerivedCounts[0].Value!.Value, pobres * 1e-9);
    }

    /// <summary>Circles are clipped with the convex Sutherland-Hodgman path; the same circle sent as a polygon goes
    /// through prepared predicates and OverlayNG. Both must agree.</summary>
    [Theory]
    [InlineData(-74.0, -12.0, 50)]
    [InlineData(-75.7, -10.3, 120)]
    [InlineData(-73.1, -13.4, 7.5)]
    public void CircleClipAgreesWithOverlayOfTheSameCircle(double lon, double lat, double radiusKm)
    {
        var clipped = Synthetic.Aggregator.AggregateCircle(lon, lat, radiusKm, includeBreakdown: true);
        var overlaid = Synthetic.Aggregator.Aggregate(Synthetic.Aggregator.CircleGeometry(lon, lat, radiusKm), includeBreakdown: true);

        Assert.Equal(overlaid.Districts, clipped.Districts);
        Assert.Equal(overlaid.Population, clipped.Population, overlaid.Population * 1e-9);
        Assert.Equal(overlaid.AreaKm2, clipped.AreaKm2, overlaid.AreaKm2 * 1e-9);
        Assert.Equal(overlaid.QueryAreaKm2, clipped.QueryAreaKm2, overlaid.QueryAreaKm2 * 1e-12);
        Assert.Equal(overlaid.Estimate("pobreza_pct")!.Value, clipped.Estimate("pobreza_pct")!.Value, 1e-9);
    }

    [Fact]
    public void MissingValuesAreSkippedAndCounted()
    {
        var result = Synthetic.Aggregator.AggregateBox(-80, -20, -70, -5);

        var missingPoverty = Enumerable.Range(0, Synthetic.Districts.Count).Where(i => Synthetic.Poverty[i] is null || Synthetic.Population[i] is null).ToList();
        var poverty = result.Estimates.Single(e => e.Name == "pobreza_pct");
        Assert.Equal(missingPoverty.Count, poverty.DistrictsWithoutEstimate);
        Assert.Equal(Synthetic.TotalPopulation(missingPoverty), poverty.PopulationWithoutEstimate, 1e-6);
        Assert.Equal(Synthetic.Population.Count(p => p is null), result.DistrictsWithoutPopulation);
        Assert.Equal(result.Population - poverty.PopulationWithoutEstimate, result.DerivedCounts[0].Value!.Value / (poverty.Value!.Value / 100), 1e-3);
    }
}
