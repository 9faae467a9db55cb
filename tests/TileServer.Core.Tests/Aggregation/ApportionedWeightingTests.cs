using NetTopologySuite.Geometries;
using TileServer.Core.Aggregation;
using TileServer.Core.Model;

namespace TileServer.Core.Tests.Aggregation;

/// <summary>
/// The README's areal weighting with queries that cut districts at fractions other than 1 and other than equal:
/// counts are Σ fᵢ pᵢ, rates Σ rᵢ fᵢ pᵢ / Σ fᵢ pᵢ. Every expected area comes from the closed form of the area of a
/// longitude-latitude rectangle on the WGS 84 ellipsoid (<see cref="EllipsoidalRectangle"/>, not the project's projection code).
/// </summary>
public sealed class ApportionedWeightingTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    private static readonly AggregationConfiguration Configuration = new()
    {
        WeightColumn = "poblacion",
        ExtensiveColumns = ["hogares"],
        IntensiveColumns = ["pobreza_pct"],
        DerivedCounts = [new DerivedCount("pobres", "pobreza_pct")],
    };

    /// <summary>West [-75, -74] and East [-74, -73], both × [-10, -9]; 1000 and 3000 people, 10 % and 50 % poor.</summary>
    private static readonly DistrictAggregator TwoSquares = DistrictAggregator.Build(
        [new AggregationDistrict("W", "West", Box(-75, -10, -74, -9)), new AggregationDistrict("E", "East", Box(-74, -10, -73, -9))],
        new Dictionary<string, IReadOnlyList<double?>>
        {
            ["poblacion"] = [1000, 3000],
            ["hogares"] = [250, 700],
            ["pobreza_pct"] = [10, 50],
        },
        Configuration);

    private static Polygon Box(double minLon, double minLat, double maxLon, double maxLat) =>
        Factory.CreatePolygon([new(minLon, minLat), new(maxLon, minLat), new(maxLon, maxLat), new(minLon, maxLat), new(minLon, minLat)]);

    private static double RectangleKm2(double minLon, double minLat, double maxLon, double maxLat) =>
        EllipsoidalRectangle.Km2(minLon, minLat, maxLon, maxLat);

    public static TheoryData<string> QueryKinds => new() { "box", "rectangle", "polygon" };

    /// <summary>The query rectangle three ways: the box path, a rectangular polygon, and a polygon with an extra
    /// vertex on its bottom edge (prepared geometry and OverlayNG).</summary>
    private static AggregationResult Query(string kind, double minLon, double minLat, double maxLon, double maxLat) => kind switch
    {
        "box" => TwoSquares.AggregateBox(minLon, minLat, maxLon, maxLat, includeBreakdown: true),
        "rectangle" => TwoSquares.Aggregate(Box(minLon, minLat, maxLon, maxLat), includeBreakdown: true),
        _ => TwoSquares.Aggregate(
            Factory.CreatePolygon([new(minLon, minLat), new((minLon + maxLon) / 2, minLat), new(maxLon, minLat), new(maxLon, maxLat), new(minLon, maxLat), new(minLon, minLat)]),
            includeBreakdown: true),
    };

    [Theory]
    [MemberData(nameof(QueryKinds))]
    public void Rates_are_weighted_by_the_apportioned_population_a_quarter_of_west_and_three_quarters_of_east(string kind)
    {
        // Along the same band of latitude, area is proportional to longitude: fractions 1/4 and 3/4 exactly.
        var result = Query(kind, -74.25, -10, -73.25, -9);

        var (fw, fe) = (0.25, 0.75);
        var population = (fw * 1000) + (fe * 3000);
        Assert.Equal(population, result.Population, 1e-6);
        Assert.Equal((fw * 250) + (fe * 700), result.Estimate("hogares")!.Value, 1e-6);

        // 46 %, where the full populations would give 40 %.
        Assert.Equal(((10 * fw * 1000) + (50 * fe * 3000)) / population, result.Estimate("pobreza_pct")!.Value, 1e-9);
        Assert.Equal((0.10 * fw * 1000) + (0.50 * fe * 3000), result.DerivedCounts.Single().Value!.Value, 1e-6);
        Assert.Equal(fw, result.Breakdown!.Single(s => s.Code == "W").Fraction, 1e-12);
        Assert.Equal(fe * 3000, result.Breakdown!.Single(s => s.Code == "E").Population!.Value, 1e-6);
    }

    [Theory]
    [MemberData(nameof(QueryKinds))]
    public void Rates_are_weighted_by_the_apportioned_population_when_a_query_cuts_both_districts_across_latitudes(string kind)
    {
        var result = Query(kind, -74.8, -9.9, -73.6, -9.35);

        var fw = RectangleKm2(-74.8, -9.9, -74, -9.35) / RectangleKm2(-75, -10, -74, -9);
        var fe = RectangleKm2(-74, -9.9, -73.6, -9.35) / RectangleKm2(-74, -10, -73, -9);
        var population = (fw * 1000) + (fe * 3000);
        Assert.Equal(population, result.Population, population * 1e-9);
        Assert.Equal(((10 * fw * 1000) + (50 * fe * 3000)) / population, result.Estimate("pobreza_pct")!.Value, 1e-9);
        Assert.Equal(fw, result.Breakdown!.Single(s => s.Code == "W").Fraction, 1e-9);
        Assert.Equal(fe, result.Breakdown!.Single(s => s.Code == "E").Fraction, 1e-9);
        Assert.Equal(RectangleKm2(-74.8, -9.9, -73.6, -9.35), result.AreaKm2, result.AreaKm2 * 1e-9);
        Assert.Equal(RectangleKm2(-74.8, -9.9, -73.6, -9.35), result.QueryAreaKm2, result.QueryAreaKm2 * 1e-9);
    }

    [Fact]
    public void A_query_half_outside_the_coverage_reports_the_share_inside()
    {
        var result = TwoSquares.AggregateBox(-73.5, -10, -72.5, -9);

        Assert.Equal(0.5 * 3000, result.Population, 1e-6);
        Assert.Equal(50, result.Estimate("pobreza_pct")!.Value, 1e-12);
        Assert.Equal(RectangleKm2(-73.5, -10, -73, -9), result.AreaKm2, result.AreaKm2 * 1e-9);
        Assert.Equal(0.5, result.Coverage, 1e-9);
    }

    [Fact]
    public void A_circle_inside_one_district_takes_the_share_of_its_polygon()
    {
        // A geodesic 128-gon of radius r has the area of a planar one, (n/2) r² sin(2π/n), to within (r/R)² (1e-6 at
        // 7.5 km); the district's area is the closed form above.
        var result = TwoSquares.AggregateCircle(-74.5, -9.5, 7.5, includeBreakdown: true);

        const int n = 128;
        var polygonKm2 = n / 2.0 * 7.5 * 7.5 * Math.Sin(2 * Math.PI / n);
        Assert.Equal(polygonKm2, result.QueryAreaKm2, polygonKm2 * 1e-4);
        Assert.Equal(1000 * polygonKm2 / RectangleKm2(-75, -10, -74, -9), result.Population, result.Population * 1e-4);
        Assert.Equal(10, result.Estimate("pobreza_pct")!.Value, 1e-12);
        Assert.Equal("W", result.Breakdown!.Single().Code);
    }

    /// <summary>An irregular polygon: a star of 40 vertices around (lon, lat), radius r degrees, alternating r and r/2.</summary>
    private static Polygon Star(double lon, double lat, double r)
    {
        var points = Enumerable.Range(0, 40)
            .Select(i => (Angle: i * Math.PI / 20, Radius: i % 2 == 0 ? r : r / 2))
            .Select(p => new Coordinate(lon + (p.Radius * Math.Cos(p.Angle)), lat + (p.Radius * Math.Sin(p.Angle))))
            .ToList();
        return Factory.CreatePolygon([.. points, points[0]]);
    }

    [Theory]
    [InlineData(-74.5, -9.5, 0.3)]
    [InlineData(-73.3, -9.2, 0.05)]
    [InlineData(-74.9, -9.9, 0.01)]
    public void A_query_inside_one_district_takes_the_district_that_covers_it_at_exactly_the_query_area(double lon, double lat, double r)
    {
        var result = TwoSquares.Aggregate(Star(lon, lat, r), includeBreakdown: true);

        // The district covers the query: all of the query lies inside, to the last bit (no intersection rounding).
        Assert.Equal(1, result.Districts);
        Assert.Equal(result.QueryAreaKm2, result.AreaKm2);
        Assert.Equal(1.0, result.Coverage);
        var district = result.Breakdown!.Single();
        var districtKm2 = district.Code == "W" ? RectangleKm2(-75, -10, -74, -9) : RectangleKm2(-74, -10, -73, -9);
        Assert.Equal(result.QueryAreaKm2 / districtKm2, district.Fraction, 1e-9);
    }
}
