using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;
using NetTopologySuite.Noding;

namespace TileServer.Core.Aggregation;

/// <summary>
/// Counts the self-intersections of a polygonal geometry, up to a cap: pairs of ring segments (of one ring, or of two
/// rings of any of its polygons) that cross, touch or overlap, other than the two neighbours of a ring that share their
/// vertex. It is what bounds the repair of an invalid query: GeometryFixer's work grows with these crossings (and
/// faster than linearly), while counting them up to a cap costs one pass of NetTopologySuite's monotone-chain noder
/// (<see cref="MCIndexNoder"/>, which stops as soon as the counter says it is done): about a millisecond for a
/// 5,001-vertex star with 6 million crossings.
/// </summary>
/// <remarks>Thread safety: stateless; each call has its own counter.</remarks>
internal static class SelfIntersections
{
    /// <summary>The number of self-intersections of <paramref name="polygonal"/> (a Polygon or MultiPolygon), or
    /// <paramref name="cap"/> + 1 when there are more.</summary>
    public static int CountUpTo(Geometry polygonal, int cap)
    {
        var rings = new List<ISegmentString>();
        for (var i = 0; i < polygonal.NumGeometries; i++)
        {
            var polygon = (Polygon)polygonal.GetGeometryN(i);
            rings.Add(new BasicSegmentString(polygon.ExteriorRing.Coordinates, null));
            foreach (var hole in polygon.InteriorRings)
            {
                rings.Add(new BasicSegmentString(hole.Coordinates, null));
            }
        }

        var counter = new Counter(cap);
        new MCIndexNoder(counter).ComputeNodes(rings);
        return counter.Count;
    }

    private sealed class Counter(int cap) : ISegmentIntersector
    {
        private readonly RobustLineIntersector _intersector = new();

        public int Count { get; private set; }

        public bool IsDone => Count > cap;

        public void ProcessIntersections(ISegmentString e0, int segIndex0, ISegmentString e1, int segIndex1)
        {
            if (IsDone || (e0 == e1 && Neighbours(segIndex0, segIndex1, e0.Count - 1)))
            {
                return;
            }

            var a = e0.Coordinates;
            var b = e1.Coordinates;
            _intersector.ComputeIntersection(a[segIndex0], a[segIndex0 + 1], b[segIndex1], b[segIndex1 + 1]);
            if (_intersector.HasIntersection)
            {
                Count++;
            }
        }

        /// <summary>The same segment, or consecutive ones of a closed ring of <paramref name="segments"/> segments
        /// (the last and the first are consecutive too).</summary>
        private static bool Neighbours(int i, int j, int segments)
        {
            var gap = Math.Abs(i - j);
            return gap <= 1 || gap == segments - 1;
        }
    }
}
