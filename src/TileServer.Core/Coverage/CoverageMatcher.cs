using System.Runtime.InteropServices;
using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;

namespace TileServer.Core.Coverage;

/// <summary>
/// The boundary half-edges of a layer that is a valid polygonal coverage, found by matching its ring segments
/// exactly (the front end of <see cref="CoverageTopology.FromCoverage"/>; the cleaner's arrangement is the other).
/// </summary>
/// <remarks>
/// Vertices are identified by their exact coordinates; each undirected segment becomes one edge, with the unit whose
/// interior lies on each side of it (a ring's interior side follows from its orientation, NTS
/// <see cref="Orientation.IsCCW(CoordinateSequence)"/>, and whether it is a shell or a hole). Around each vertex the
/// outgoing half-edges are sorted by angle with NTS's robust orientation predicate
/// (<see cref="CGAlgorithmsDD.OrientationIndex(double, double, double, double, double, double)"/>), which gives the
/// successor of every half-edge around its face. Thread safety: stateless.
/// </remarks>
internal static class CoverageMatcher
{
    /// <summary>The half-edges, or null when two units claim the same side of a segment or one unit both sides.</summary>
    public static BoundaryHalfEdges? Match(IReadOnlyList<Geometry> coverage)
    {
        var vertexIds = new Dictionary<(double X, double Y), int>(ExactPointComparer.Instance);
        List<double> vx = [], vy = [];
        var edgeIds = new Dictionary<(int A, int B), int>();
        var origin = new List<int>();
        var left = new List<int>();
        for (var u = 0; u < coverage.Count; u++)
        {
            for (var p = 0; p < coverage[u].NumGeometries; p++)
            {
                if (coverage[u].GetGeometryN(p) is not Polygon polygon || polygon.IsEmpty)
                {
                    continue;
                }

                for (var r = 0; r <= polygon.NumInteriorRings; r++)
                {
                    var sequence = (r == 0 ? polygon.ExteriorRing : polygon.GetInteriorRingN(r - 1)).CoordinateSequence;
                    var interiorOnLeft = Orientation.IsCCW(sequence) == (r == 0);
                    var previous = Vertex(sequence.GetX(0), sequence.GetY(0));
                    for (var i = 1; i < sequence.Count; i++)
                    {
                        var current = Vertex(sequence.GetX(i), sequence.GetY(i));
                        if (current == previous)
                        {
                            continue;
                        }

                        // Half-edge 2e runs from the smaller vertex id to the larger, 2e + 1 back.
                        var key = previous < current ? (previous, current) : (current, previous);
                        ref var edge = ref CollectionsMarshal.GetValueRefOrAddDefault(edgeIds, key, out var exists);
                        if (!exists)
                        {
                            edge = origin.Count / 2;
                            origin.Add(key.Item1);
                            origin.Add(key.Item2);
                            left.Add(-1);
                            left.Add(-1);
                        }

                        var forward = previous < current;
                        var halfEdge = (2 * edge) + (forward == interiorOnLeft ? 0 : 1);
                        if (left[halfEdge] >= 0 || left[halfEdge ^ 1] == u)
                        {
                            return null;
                        }

                        left[halfEdge] = u;
                        previous = current;
                    }
                }
            }
        }

        var x = vx.ToArray();
        var y = vy.ToArray();
        var origins = origin.ToArray();
        return new BoundaryHalfEdges(x, y, origins, CoverageArrangement.LinkHalfEdges(origins, x.Length, (h1, h2) => CompareAngles(x, y, origins, h1, h2)), [.. left]);

        int Vertex(double px, double py)
        {
            ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(vertexIds, (px, py), out var exists);
            if (!exists)
            {
                id = vx.Count;
                vx.Add(px);
                vy.Add(py);
            }

            return id;
        }
    }

    /// <summary>Counter-clockwise order of two half-edges leaving the same vertex, from the positive x axis.</summary>
    private static int CompareAngles(double[] x, double[] y, int[] origin, int h1, int h2)
    {
        int v = origin[h1], a = origin[h1 ^ 1], b = origin[h2 ^ 1];
        var half1 = y[a] < y[v] || (y[a] == y[v] && x[a] < x[v]) ? 1 : 0;
        var half2 = y[b] < y[v] || (y[b] == y[v] && x[b] < x[v]) ? 1 : 0;
        return half1 != half2 ? half1 - half2 : -CGAlgorithmsDD.OrientationIndex(x[v], y[v], x[a], y[a], x[b], y[b]);
    }
}
