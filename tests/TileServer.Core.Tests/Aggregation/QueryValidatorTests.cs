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
}
