using NetTopologySuite.Geometries;
using TileServer.Core.Geodesy;

namespace TileServer.Core.Tests.Geodesy;

public sealed class GeodesicCircleTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    [Theory]
    [InlineData(-71.978, -13.532, 50)]
    [InlineData(-77.03, -12.05, 500)]
    [InlineData(10, 60, 200)]
    public void EveryVertexLiesOnTheCircle(double lon, double lat, double radiusKm)
    {
        var circle = GeodesicCircle.Create(Factory, lon, lat, radiusKm * 1000);

        Assert.Equal(GeodesicCircle.DefaultVertexCount + 1, circle.ExteriorRing.NumPoints);
        foreach (var c in circle.ExteriorRing.Coordinates)
        {
            Assert.Equal(radiusKm * 1000, Geodesic.Inverse(lat, lon, c.Y, c.X).DistanceMetres, 1e-4);
        }

        Assert.True(circle.Shell.IsCCW, "exterior ring is counter-clockwise");
        Assert.True(circle.IsValid);
    }

    /// <summary>
    /// A small geodesic circle of radius r has area πr²(1 - K r²/12 + ...) with K = 1/(M N) the Gaussian curvature at
    /// its centre; the polygon should fall short of that by the inscribed-polygon deficit, and always by less than 0.1%.
    /// </summary>
    [Theory]
    [InlineData(-71.978, -13.532, 1)]
    [InlineData(-71.978, -13.532, 10)]
    [InlineData(-71.978, -13.532, 50)]
    [InlineData(0, 0, 100)]
    [InlineData(25, 60, 100)]
    [InlineData(-77, -12, 300)]
    public void AreaIsPiRSquaredOnTheEllipsoidLessTheInscribedPolygonDeficit(double lon, double lat, double radiusKm)
    {
        var r = radiusKm * 1000;
        var circle = GeodesicCircle.Create(Factory, lon, lat, r);

        var e2 = EqualAreaProjection.Flattening * (2 - EqualAreaProjection.Flattening);
        var w = 1 - (e2 * Math.Pow(Math.Sin(lat * Math.PI / 180), 2));
        var m = EqualAreaProjection.SemiMajorAxis * (1 - e2) / Math.Pow(w, 1.5);
        var n = EqualAreaProjection.SemiMajorAxis / Math.Sqrt(w);
        var trueArea = Math.PI * r * r * (1 - (r * r / (12 * m * n)));
        var relativeShortfall = 1 - (EqualAreaProjection.AreaSquareMetres(circle) / trueArea);

        Assert.InRange(relativeShortfall, 0, 1e-3);
        Assert.Equal(GeodesicCircle.RelativeAreaDeficit(GeodesicCircle.DefaultVertexCount), relativeShortfall, 2e-5);
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(1e-4)]
    public void VertexCountForMeetsTheBoundWithNoMoreThanNeeded(double bound)
    {
        var n = GeodesicCircle.VertexCountFor(bound);

        Assert.True(GeodesicCircle.RelativeAreaDeficit(n) <= bound);
        Assert.True(GeodesicCircle.RelativeAreaDeficit(n - 4) > bound);
    }
}
