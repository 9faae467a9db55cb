using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Overlay;
using NetTopologySuite.Operation.OverlayNG;
using TileServer.Core.Aggregation;
using TileServer.Core.Geodesy;

namespace TileServer.Core.Tests.Aggregation;

/// <summary>Random query polygons and exact cuts of them, for the additivity tests.</summary>
internal static class PlaneCut
{
    /// <summary>A star-shaped polygon of 9 to 20 vertices around a random point of [minLon, minLon + span] ×
    /// [minLat, minLat + span], each vertex between <paramref name="minRadius"/> and
    /// <paramref name="minRadius"/> + <paramref name="radiusSpread"/> degrees from it.</summary>
    public static Polygon RandomStarPolygon(Random random, double minLon, double minLat, double span, double minRadius, double radiusSpread)
    {
        var cx = minLon + (random.NextDouble() * span);
        var cy = minLat + (random.NextDouble() * span);
        var n = random.Next(9, 21);
        var ring = new Coordinate[n + 1];
        for (var i = 0; i < n; i++)
        {
            var angle = 2 * Math.PI * i / n;
            var r = minRadius + (random.NextDouble() * radiusSpread);
            ring[i] = new Coordinate(cx + (r * Math.Cos(angle)), cy + (r * Math.Sin(angle)));
        }

        ring[n] = ring[0].Copy();
        return SyntheticCoverage.Factory.CreatePolygon(ring);
    }

    /// <summary>
    /// Cuts a lon/lat polygon in two along a random straight line through its centroid, in the equal-area plane (where
    /// the aggregation measures areas, so the halves tile the projected polygon exactly), and takes the halves back to
    /// lon/lat.
    /// </summary>
    public static (Geometry Left, Geometry Right) CutInPlane(Polygon lonLat, Random random)
    {
        var plane = EqualAreaPlane.Project(lonLat);
        var c = plane.Centroid.Coordinate;
        var angle = random.NextDouble() * Math.PI;
        var (dx, dy) = (Math.Cos(angle), Math.Sin(angle));
        const double far = 5e6;
        Polygon HalfPlane(double side) => SyntheticCoverage.Factory.CreatePolygon(
        [
            new Coordinate(c.X - (far * dx), c.Y - (far * dy)),
            new Coordinate(c.X + (far * dx), c.Y + (far * dy)),
            new Coordinate(c.X + (far * dx) - (side * far * dy), c.Y + (far * dy) + (side * far * dx)),
            new Coordinate(c.X - (far * dx) - (side * far * dy), c.Y - (far * dy) + (side * far * dx)),
            new Coordinate(c.X - (far * dx), c.Y - (far * dy)),
        ]);
        var left = OverlayNGRobust.Overlay(plane, HalfPlane(1), SpatialFunction.Intersection);
        var right = OverlayNGRobust.Overlay(plane, HalfPlane(-1), SpatialFunction.Intersection);
        return (ToLonLat(left), ToLonLat(right));
    }

    private static Geometry ToLonLat(Geometry plane) => ProjectedCopy.Of(plane, EqualAreaInverse.Lon, EqualAreaInverse.Lat);
}
