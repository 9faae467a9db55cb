using NetTopologySuite.Geometries;
using TileServer.Core.Aggregation;

namespace TileServer.Core.Tests.Aggregation;

public sealed class QueryValidatorTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);
    private static readonly AggregationLimits Limits = new();

    private static Polygon Square(double x, double y, double size) =>
        Factory.CreatePolygon([new(x, y), new(x + size, y), new(x + size, y + size), new(x, y + size), new(x, y)]);

    [Fact]
    public void ProjectedMetresAreRejectedWithAHint()
    {
        var utm = Square(500_000, 8_500_000, 10_000);

        var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidatePolygonal(utm, Limits));

        Assert.Equal(QueryProblem.CoordinateOutOfRange, error.Problem);
        Assert.Contains("500000", error.Message, StringComparison.Ordinal);
        Assert.Contains("UTM", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LatitudeBeyondNinetyIsRejected()
    {
        var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidatePolygonal(Square(-75, 89.5, 1), Limits));

        Assert.Equal(QueryProblem.CoordinateOutOfRange, error.Problem);
    }

    [Fact]
    public void NonPolygonalGeometryIsRejected()
    {
        var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidatePolygonal(Factory.CreatePoint(new Coordinate(-75, -10)), Limits));

        Assert.Equal(QueryProblem.NotPolygonal, error.Problem);
        Assert.Contains("Point", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyGeometryIsRejected()
    {
        var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidatePolygonal(Factory.CreatePolygon(), Limits));

        Assert.Equal(QueryProblem.Empty, error.Problem);
    }

    [Fact]
    public void MoreVerticesThanTheLimitAreRejected()
    {
        var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidatePolygonal(Square(-75, -10, 1), Limits with { MaxVertices = 4 }));

        Assert.Equal(QueryProblem.TooManyVertices, error.Problem);
        Assert.Contains("5 vertices", error.Message, StringComparison.Ordinal);
        Assert.Null(Record.Exception(() => QueryValidator.ValidatePolygonal(Square(-75, -10, 1), Limits with { MaxVertices = 5 })));
    }

    [Fact]
    public void SelfIntersectionIsRejectedWithItsLocationWhenConfigured()
    {
        var bowTie = Factory.CreatePolygon([new(0, 0), new(2, 2), new(2, 0), new(0, 2), new(0, 0)]);

        var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidatePolygonal(bowTie, Limits with { InvalidRings = InvalidRingHandling.Reject }));

        Assert.Equal(QueryProblem.InvalidRing, error.Problem);
        Assert.Contains("(1, 1)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SelfIntersectionIsRepairedByDefault()
    {
        var bowTie = Factory.CreatePolygon([new(0, 0), new(2, 2), new(2, 0), new(0, 2), new(0, 0)]);

        var validated = QueryValidator.ValidatePolygonal(bowTie, Limits);

        Assert.True(validated.Geometry.IsValid);
        Assert.Equal(2, validated.Geometry.Area, 1e-12);
        Assert.NotNull(validated.Repair);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(2000.5)]
    public void RadiusNotPositiveOrAbsurdIsRejected(double radiusKm)
    {
        var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateCircle(-71.978, -13.532, radiusKm, Limits));

        Assert.Equal(QueryProblem.InvalidRadius, error.Problem);
        Assert.Contains("radiusKm", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CircleReachingAPoleIsRejected()
    {
        var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateCircle(0, 85, 1000, Limits));

        Assert.Equal(QueryProblem.InvalidRadius, error.Problem);
        Assert.Contains("pole", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CircleAcrossTheAntimeridianIsRejected()
    {
        var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateCircle(179.5, -17, 100, Limits));

        Assert.Contains("antimeridian", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CircleAroundCuscoIsAcceptedUpToTheRadiusLimitAndRejectedJustBeyondIt()
    {
        var limits = new AggregationLimits { MaxRadiusKm = 50 };

        Assert.Null(Record.Exception(() => QueryValidator.ValidateCircle(-71.978, -13.532, 50, limits)));
        Assert.Null(Record.Exception(() => QueryValidator.ValidateCircle(-71.978, -13.532, 0.001, limits)));
        var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateCircle(-71.978, -13.532, 50.001, limits));
        Assert.Equal(QueryProblem.InvalidRadius, error.Problem);
        Assert.Contains("the limit is 50 km", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CircleReachingThePoleIsRejectedOnlyOnceItReachesIt()
    {
        // 1° of latitude at 89°N is about 111.7 km of meridian (WGS 84): 100 km stops short of the pole, 120 km passes it.
        Assert.Null(Record.Exception(() => QueryValidator.ValidateCircle(0, 89, 100, Limits)));
        Assert.Equal(QueryProblem.InvalidRadius, Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateCircle(0, 89, 120, Limits)).Problem);
    }

    /// <summary>A minLon above maxLon is a box across the antimeridian (RFC 7946, 5.2), not an error: see
    /// <c>AntimeridianRuleTests</c>; a box without width or with minLat not below maxLat is.</summary>
    [Theory]
    [InlineData(-75, -5, -70, -10)]
    [InlineData(-75, -10, -75, -5)]
    [InlineData(-75, -10, -70, -10)]
    public void BoxWithoutWidthOrWithMinLatNotBelowMaxLatIsRejected(double minLon, double minLat, double maxLon, double maxLat)
    {
        var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateBox(minLon, minLat, maxLon, maxLat));

        Assert.Equal(QueryProblem.InvalidBox, error.Problem);
    }

    [Fact]
    public void BoxOutOfRangeIsRejected()
    {
        var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateBox(-75, -10, 190, -5));

        Assert.Equal(QueryProblem.CoordinateOutOfRange, error.Problem);
    }

    [Fact]
    public void A_missing_geometry_or_limit_set_is_refused()
    {
        var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidatePolygonal(null, Limits));

        Assert.Equal(QueryProblem.NotPolygonal, error.Problem);
        Assert.Equal("The query geometry must be a Polygon or MultiPolygon, not nothing.", error.Message);
        Assert.Equal("limits", Assert.Throws<ArgumentNullException>(() => QueryValidator.ValidatePolygonal(Square(-75, -10, 1), null!)).ParamName);
        Assert.Equal("limits", Assert.Throws<ArgumentNullException>(() => QueryValidator.ValidateCircle(-75, -10, 1, null!)).ParamName);
    }

    [Fact]
    public void The_messages_of_invalid_rings_name_the_problem_its_place_and_the_limit()
    {
        var bowTie = Factory.CreatePolygon([new(0, 0), new(2, 2), new(2, 0), new(0, 2), new(0, 0)]);

        var rejected = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidatePolygonal(bowTie, Limits with { InvalidRings = InvalidRingHandling.Reject }));
        var tooComplex = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidatePolygonal(bowTie, Limits with { MaxSelfIntersections = 0 }));
        var repaired = QueryValidator.ValidatePolygonal(bowTie, Limits with { MaxSelfIntersections = 1 });

        Assert.Equal("The query geometry is invalid: Self-intersection at (1, 1).", rejected.Message);
        Assert.Equal(QueryProblem.TooComplex, tooComplex.Problem);
        Assert.Equal(nameof(AggregationLimits.MaxSelfIntersections), tooComplex.Limit);
        Assert.StartsWith("The query geometry is invalid (Self-intersection at (1, 1)) and its rings cross or touch themselves or each other more than 0 times, the most that is repaired;", tooComplex.Message, StringComparison.Ordinal);
        Assert.Equal("Self-intersection at (1, 1): repaired with GeometryFixer", repaired.Repair);
    }

    /// <summary>A ring that folds back on itself has no area once repaired: it is empty, not an answer of 0.</summary>
    [Fact]
    public void A_ring_with_no_area_once_repaired_is_empty()
    {
        var folded = Factory.CreatePolygon([new(-75, -10), new(-74, -9), new(-73, -8), new(-74, -9), new(-75, -10)]);

        var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidatePolygonal(folded, Limits));

        Assert.Equal(QueryProblem.Empty, error.Problem);
        Assert.EndsWith("and has no area once repaired.", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A bow-tie across the antimeridian is checked with continuous longitudes (its crossing is at 180.5 or
    /// -180.5), and the message gives the place back in [-180, 180].</summary>
    [Theory]
    [InlineData(179, -178, "(-179.5, 0.5)")]
    [InlineData(-179, 178, "(179.5, 0.5)")]
    public void An_invalid_ring_across_the_antimeridian_is_located_within_the_longitude_range(double first, double second, string place)
    {
        var bowTie = Factory.CreatePolygon([new(first, 0), new(second, 1), new(second, 0), new(first, 1), new(first, 0)]);

        var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidatePolygonal(bowTie, Limits with { InvalidRings = InvalidRingHandling.Reject }));

        Assert.Equal($"The query geometry is invalid: Self-intersection at {place}.", error.Message);
    }

    /// <summary>A valid ring across the antimeridian comes back cut in two, each part within [-180, 180], with the
    /// 20° × 30° it means; one round a pole is refused.</summary>
    [Fact]
    public void A_ring_across_the_antimeridian_is_cut_there_and_one_round_a_pole_is_refused()
    {
        var across = Factory.CreatePolygon([new(170, -20), new(-170, -20), new(-170, 10), new(170, 10), new(170, -20)]);
        var polar = Factory.CreatePolygon([new(-170, 80), new(-50, 80), new(70, 80), new(-170, 80)]);

        var validated = QueryValidator.ValidatePolygonal(across, Limits);
        var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidatePolygonal(polar, Limits));

        Assert.Equal(2, validated.Geometry.NumGeometries);
        Assert.Equal(20 * 30, validated.Geometry.Area, 1e-9);
        Assert.InRange(validated.Geometry.EnvelopeInternal.MinX, -180, -170);
        Assert.InRange(validated.Geometry.EnvelopeInternal.MaxX, 170, 180);
        Assert.Null(validated.Repair);
        Assert.Equal(QueryProblem.AroundPole, error.Problem);
        Assert.Contains("winds round a pole", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cancelled_validation_stops()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => QueryValidator.ValidatePolygonal(Square(-75, -10, 1), Limits, cancelled.Token));
    }

    /// <summary>The edges of the range are in range; one step out of it is not, and the hint about projected metres
    /// comes only past 1000.</summary>
    [Fact]
    public void The_lon_lat_range_is_closed_and_the_metres_hint_comes_only_past_1000()
    {
        Assert.Null(Record.Exception(() => QueryValidator.ValidateBox(-180, -90, 180, 90)));

        var lon = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateBox(-75, -10, 1000, -5));
        var lat = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateBox(-75, -1000.5, -70, -5));
        var nonFinite = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateBox(-75, double.NaN, -70, -5));
        var infinite = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateBox(double.NegativeInfinity, -10, -70, -5));

        Assert.Equal("The bbox maximum (1000, -5) is outside longitude [-180, 180] / latitude [-90, 90].", lon.Message);
        Assert.Equal("The bbox minimum (-75, -1000.5) is outside longitude [-180, 180] / latitude [-90, 90]. It looks like projected metres (e.g. UTM); send WGS 84 longitude and latitude in degrees.", lat.Message);
        Assert.Equal(QueryProblem.NonFiniteCoordinate, nonFinite.Problem);
        Assert.Equal("The bbox minimum (-75, NaN) is not a finite number.", nonFinite.Message);
        Assert.Equal(QueryProblem.NonFiniteCoordinate, infinite.Problem);
        Assert.DoesNotContain("UTM", Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateBox(-75, -10, -70, 1000)).Message, StringComparison.Ordinal);
        var hole = Factory.CreatePolygon(
            (LinearRing)Square(-75, -10, 1).ExteriorRing,
            [Factory.CreateLinearRing([new(-74.5, -9.5), new(-74.5, -91), new(-74.2, -9.5), new(-74.5, -9.5)])]);
        Assert.StartsWith("The query coordinate (-74.5, -91) is outside", Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidatePolygonal(hole, Limits)).Message, StringComparison.Ordinal);
        foreach (var (x, y) in new[] { (-180.5, 0.0), (180.5, 0.0), (0.0, -90.5), (0.0, 90.5) })
        {
            var error = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateBox(x, y, x == 0 ? 1 : 0, y < 0 ? 0 : 90));
            Assert.Equal(QueryProblem.CoordinateOutOfRange, error.Problem);
            Assert.DoesNotContain("UTM", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_bad_box_or_circle_is_refused_with_its_numbers_in_the_message()
    {
        var box = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateBox(-75, -5, -70, -10));
        var radius = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateCircle(-71.978, -13.532, 0, Limits));
        var tooLarge = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateCircle(-71.978, -13.532, 2000.5, Limits));
        var centre = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateCircle(-200, 0, 1, Limits));

        Assert.Equal("The bbox must be minLon,minLat,maxLon,maxLat with minLat below maxLat and minLon other than maxLon (a minLon above maxLon is a box across the antimeridian); got -75,-5,-70,-10.", box.Message);
        Assert.Equal("radiusKm must be a positive number; got 0.", radius.Message);
        Assert.Equal("radiusKm is 2000.5; the limit is 2000 km.", tooLarge.Message);
        Assert.Equal(QueryProblem.CoordinateOutOfRange, centre.Problem);
        Assert.StartsWith("The circle centre (-200, 0) is outside", centre.Message, StringComparison.Ordinal);
    }

    /// <summary>1° of latitude near either pole is about 111.7 km: 100 km from 89° stops short of the pole, 120 km
    /// passes it, north and south; 50 km from 179° east or west stops short of the antimeridian, 100 km crosses it.</summary>
    [Fact]
    public void A_circle_is_refused_only_once_it_reaches_a_pole_or_the_antimeridian_on_either_side()
    {
        Assert.Null(Record.Exception(() => QueryValidator.ValidateCircle(0, -89, 100, Limits)));
        var south = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateCircle(0, -89, 120, Limits));
        Assert.Equal("A circle of 120 km around (0, -89) reaches a pole.", south.Message);

        Assert.Null(Record.Exception(() => QueryValidator.ValidateCircle(179, -17, 50, Limits)));
        Assert.Null(Record.Exception(() => QueryValidator.ValidateCircle(-179, -17, 50, Limits)));
        var west = Assert.Throws<InvalidQueryException>(() => QueryValidator.ValidateCircle(-179.5, -17, 100, Limits));
        Assert.Equal(QueryProblem.InvalidRadius, west.Problem);
        Assert.Equal("A circle of 100 km around (-179.5, -17) crosses the antimeridian, which is not supported.", west.Message);
    }

    /// <summary>Self-intersections between rings count as well as within one (two rings' segments are never
    /// neighbours, whatever their positions): a hole crossing its shell twice, two overlapping squares twice.</summary>
    [Fact]
    public void Self_intersections_between_rings_are_counted()
    {
        var shell = Factory.CreateLinearRing([new(0, 0), new(4, 0), new(4, 4), new(0, 4), new(0, 0)]);
        var hole = Factory.CreateLinearRing([new(3, 1), new(3, 3), new(5, 3), new(5, 1), new(3, 1)]);
        var overlapping = Factory.CreateMultiPolygon([Square(0, 0, 2), Square(1, 1, 2)]);

        Assert.Equal(2, SelfIntersections.CountUpTo(Factory.CreatePolygon(shell, [hole]), 100));
        Assert.Equal(2, SelfIntersections.CountUpTo(overlapping, 100));
        Assert.Equal(0, SelfIntersections.CountUpTo(Square(0, 0, 2), 100));
    }
}
