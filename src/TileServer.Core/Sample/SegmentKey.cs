using NetTopologySuite.Geometries;

namespace TileServer.Core.Sample;

/// <summary>
/// An undirected segment identified by its exact endpoint coordinates. In a clean coverage two neighbours carry the
/// very same segment (same doubles, opposite directions), so hashing segments finds shared borders exactly, in time
/// linear in the number of vertices.
/// </summary>
internal readonly record struct SegmentKey(double X0, double Y0, double X1, double Y1)
{
    public static SegmentKey Of(Coordinate a, Coordinate b) =>
        a.X < b.X || (a.X == b.X && a.Y < b.Y) ? new(a.X, a.Y, b.X, b.Y) : new(b.X, b.Y, a.X, a.Y);

    /// <summary>Calls <paramref name="visit"/> for every non-degenerate segment of every ring of the polygons in <paramref name="geometry"/>.</summary>
    public static void ForEach(Geometry geometry, Action<SegmentKey, double> visit)
    {
        for (var p = 0; p < geometry.NumGeometries; p++)
        {
            if (geometry.GetGeometryN(p) is not Polygon polygon)
            {
                continue;
            }

            VisitRing(polygon.ExteriorRing, visit);
            for (var h = 0; h < polygon.NumInteriorRings; h++)
            {
                VisitRing(polygon.GetInteriorRingN(h), visit);
            }
        }
    }

    private static void VisitRing(LineString ring, Action<SegmentKey, double> visit)
    {
        var sequence = ring.CoordinateSequence;
        for (var i = 1; i < sequence.Count; i++)
        {
            var a = sequence.GetCoordinate(i - 1);
            var b = sequence.GetCoordinate(i);
            if (!a.Equals2D(b))
            {
                visit(Of(a, b), a.Distance(b));
            }
        }
    }
}
