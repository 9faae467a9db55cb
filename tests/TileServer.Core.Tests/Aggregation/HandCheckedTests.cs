using NetTopologySuite.Geometries;
using TileServer.Core.Aggregation;
using TileServer.Core.Geodesy;
using TileServer.Core.Model;

namespace TileServer.Core.Tests.Aggregation;

/// <summary>
/// Two 1° × 1° square districts side by side, West = [-75, -74] and East = [-74, -73] × [-10, -9]. Projected x is
/// linear in longitude, so a query square [-74.5, -73.5] × [-10, -9] holds exactly half of each district's area.
/// </summary>
public sealed class HandCheckedTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    private static readonly AggregationConfiguration Configuration = new()
    {
        WeightColumn = "poblacion",
        ExtensiveColumns = ["hogares"],
        IntensiveColumns = ["pobreza_pct", "idh"],
        DerivedCounts = [new DerivedCount("pobres", "pobreza_pct")],
    };

    private static DistrictAggregator TwoSquares(double? westPoverty = 10, double? eastPopulation = 3000) => DistrictAggregator.Build(
        [
            new AggregationDistrict("W", "West", Box(-75, -10, -74, -9)),
            new AggregationDistrict("E", "East", Box(-74, -10, -73, -9)),
        ],
        new Dictionary<string, IReadOnlyList<double?>>
        {
            ["poblacion"] = [1000, eastPopulation],
            ["hogares"] = [250, 700],
            ["pobreza_pct"] = [westPoverty, 50],
            ["idh"] = [0.6, null],
        },
        Configuration);

    private static Polygon Box(double minLon, double minLat, double maxLon, double maxLat) =>
        Factory.CreatePolygon([new(minLon, minLat), new(maxLon, minLat), new(maxLon, maxLat), new(minLon, maxLat), new(minLon, minLat)]);

    /// <summary>The same query square three ways: the box path, a rectangular polygon (also the box path) and a
    /// polygon with an extra vertex on its bottom edge (the prepared-geometry and OverlayNG path).</summary>
    public static TheoryData<string> QueryKinds => new() { "box", "rectangle", "polygon" };

    private static AggregationResult HalfAndHalf(DistrictAggregator aggregator, string kind) => kind switch
    {
        "box" => aggregator.AggregateBox(-74.5, -10, -73.5, -9, includeBreakdown: true),
        "rectangle" => aggregator.Aggregate(Box(-74.5, -10, -73.5, -9), includeBreakdown: true),
        _ => aggregator.Aggregate(
            Factory.CreatePolygon([new(-74.5, -10), new(-74, -10), new(-73.5, -10), new(-73.5, -9), new(-74.5, -9), new(-74.5, -10)]),
            includeBreakdown: true),
    };

    [Theory]
    [MemberData(nameof(QueryKinds))]
    public void SquareHalfOverEachDistrictTakesHalfOfEach(string kind)
    {
        var result = HalfAndHalf(TwoSquares(), kind);

        Assert.Equal(2, result.Districts);
        Assert.Equal(500 + 1500, result.Population, 1e-6);
        Assert.Equal(125 + 350, result.Estimate("hogares")!.Value, 1e-6);
        Assert.Equal(((10 * 500) + (50 * 1500)) / 2000.0, result.Estimate("pobreza_pct")!.Value, 1e-9);
        Assert.Equal((0.10 * 500) + (0.50 * 1500), result.DerivedCounts.Single().Value!.Value, 1e-6);
        Assert.Equal(0.5, result.Breakdown!.Single(s => s.Code == "W").Fraction, 1e-12);
        Assert.Equal(1500, result.Breakdown!.Single(s => s.Code == "E").Population!.Value, 1e-6);
        Assert.Equal(1, result.Coverage, 1e-12);
        var halfOfBoth = (EqualAreaProjection.AreaSquareKilometres(Box(-75, -10, -74, -9)) + EqualAreaProjection.AreaSquareKilometres(Box(-74, -10, -73, -9))) / 2;
        Assert.Equal(halfOfBoth, result.AreaKm2, halfOfBoth * 1e-12);
    }

    [Theory]
    [MemberData(nameof(QueryKinds))]
    public void MissingRateIsSkippedAndItsPopulationReported(string kind)
    {
        var result = HalfAndHalf(TwoSquares(westPoverty: null), kind);

        var poverty = result.Estimates.Single(e => e.Name == "pobreza_pct");
        Assert.Equal(50, poverty.Value!.Value, 1e-9);
        Assert.Equal(500, poverty.PopulationWithoutEstimate, 1e-6);
        Assert.Equal(1, poverty.DistrictsWithoutEstimate);
        Assert.Equal(0.5 * 1500, result.DerivedCounts.Single().Value!.Value, 1e-6);
        Assert.Equal(500, result.DerivedCounts.Single().PopulationWithoutEstimate, 1e-6);
        var index = result.Estimates.Single(e => e.Name == "idh");
        Assert.Equal(0.6, index.Value!.Value, 1e-12);
        Assert.Equal(1500, index.PopulationWithoutEstimate, 1e-6);
    }

    [Theory]
    [MemberData(nameof(QueryKinds))]
    public void DistrictWithoutPopulationAddsAreaButNoWeight(string kind)
    {
        var result = HalfAndHalf(TwoSquares(eastPopulation: null), kind);

        Assert.Equal(2, result.Districts);
        Assert.Equal(1, result.DistrictsWithoutPopulation);
        Assert.Equal(500, result.Population, 1e-6);
        Assert.Equal(10, result.Estimate("pobreza_pct")!.Value, 1e-9);
        Assert.Equal(125 + 350, result.Estimate("hogares")!.Value, 1e-6);
        Assert.Null(result.Breakdown!.Single(s => s.Code == "E").Population);
    }

    [Fact]
    public void QueryInsideOneDistrictTakesItsAreaShare()
    {
        var aggregator = TwoSquares();
        var query = Factory.CreatePolygon([new(-74.8, -9.8), new(-74.2, -9.8), new(-74.5, -9.2), new(-74.8, -9.8)]);

        var result = aggregator.Aggregate(query);

        var fraction = EqualAreaProjection.AreaSquareMetres(query) / EqualAreaProjection.AreaSquareMetres(Box(-75, -10, -74, -9));
        Assert.Equal(1, result.Districts);
        Assert.Equal(1000 * fraction, result.Population, 1e-6);
        Assert.Equal(10, result.Estimate("pobreza_pct")!.Value, 1e-12);
    }

    [Fact]
    public void SelfIntersectingQueryIsRepairedAndSaysSo()
    {
        var aggregator = TwoSquares();
        var bowTie = Factory.CreatePolygon([new(-74.5, -10), new(-73.5, -9), new(-73.5, -10), new(-74.5, -9), new(-74.5, -10)]);

        var result = aggregator.Aggregate(bowTie);

        Assert.NotNull(result.Repair);
        Assert.Contains("Self-intersection", result.Repair, StringComparison.OrdinalIgnoreCase);
        Assert.True(result.Population > 0);
    }
}
