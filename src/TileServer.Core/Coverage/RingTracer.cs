using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;

namespace TileServer.Core.Coverage;

/// <summary>
/// Traces the polygons of groups of units from a <see cref="ChainGraph"/>: the one ring assembly of the project, used
/// for the units themselves (each its own group: the cleaned districts) and for dissolves (provinces, departments).
/// </summary>
/// <remarks>
/// <para>Algorithm: a group's boundary is the set of darts with the group on their left and another group (or the
/// outside) on their right; every other chain is dropped. Each boundary dart is followed by the next dart around the
/// face, rotating clockwise around the node past darts that have the group on both sides, as in face tracing on a
/// half-edge structure (de Berg et al., "Computational Geometry", ch. 2). A traced outline may pass through a node
/// twice where the group pinches (a hole touching its shell, two parts touching at a point); each loop between two
/// visits is a simple ring of its own. Counter-clockwise rings are shells, clockwise ones holes, by the signed area
/// (shoelace, relative to the ring's first vertex); each hole goes into the smallest shell containing the midpoint
/// of its first segment (a point on no other ring: a hole shares no segment with a shell).</para>
/// <para>Runs in time linear in the chains, plus the hole tests (point in ring, only for groups of several parts
/// that have holes). Thread safety: stateless.</para>
/// </remarks>
internal static class RingTracer
{
    /// <summary>The polygons of each group; <paramref name="groupOfUnit"/> maps every unit to its group (0 .. <paramref name="groupCount"/> - 1).</summary>
    public static ChainPolygons Trace(ChainGraph graph, IReadOnlyList<int> groupOfUnit, int groupCount)
    {
        var dartLeft = graph.DartLeft;
        var dartNext = graph.DartNext;
        int Group(int dart) => dartLeft[dart] < 0 ? -1 : groupOfUnit[dartLeft[dart]];

        var ringsOfGroup = new List<int[]>?[groupCount];
        var visited = new bool[dartLeft.Length];
        var walk = new List<int>();
        for (var d = 0; d < dartLeft.Length; d++)
        {
            var group = Group(d);
            if (visited[d] || group < 0 || Group(d ^ 1) == group)
            {
                continue;
            }

            walk.Clear();
            var e = d;
            do
            {
                visited[e] = true;
                walk.Add(e);
                e = dartNext[e];
                while (Group(e ^ 1) == group)
                {
                    e = dartNext[e ^ 1];
                }
            }
            while (e != d);

            SplitAtRepeatedNodes(walk, graph.DartNode, ringsOfGroup[group] ??= []);
        }

        var groupPolygonStart = new int[groupCount + 1];
        var polygonRingStart = new List<int> { 0 };
        var ringReferenceStart = new List<int> { 0 };
        var references = new List<int>(dartLeft.Length);
        for (var g = 0; g < groupCount; g++)
        {
            groupPolygonStart[g] = polygonRingStart.Count - 1;
            foreach (var polygon in Assemble(graph, ringsOfGroup[g] ?? []))
            {
                foreach (var ring in polygon)
                {
                    references.AddRange(ring);
                    ringReferenceStart.Add(references.Count);
                }

                polygonRingStart.Add(ringReferenceStart.Count - 1);
            }
        }

        groupPolygonStart[groupCount] = polygonRingStart.Count - 1;
        return new ChainPolygons(groupPolygonStart, [.. polygonRingStart], [.. ringReferenceStart], [.. references]);
    }

    private static void SplitAtRepeatedNodes(List<int> walk, int[] dartNode, List<int[]> rings)
    {
        var stack = new List<int>(walk.Count);
        var positions = new Dictionary<int, int>();
        foreach (var dart in walk)
        {
            var node = dartNode[dart];
            if (positions.TryGetValue(node, out var position))
            {
                for (var k = position; k < stack.Count; k++)
                {
                    positions.Remove(dartNode[stack[k]]);
                }

                rings.Add([.. stack.GetRange(position, stack.Count - position)]);
                stack.RemoveRange(position, stack.Count - position);
            }

            positions[node] = stack.Count;
            stack.Add(dart);
        }

        if (stack.Count > 0)
        {
            rings.Add([.. stack]);
        }
    }

    /// <summary>Shells with their holes, shells in the order traced; each list is a shell followed by its holes.</summary>
    private static List<List<int[]>> Assemble(ChainGraph graph, List<int[]> rings)
    {
        var shells = new List<(int[] Ring, double TwiceArea)>();
        var holes = new List<int[]>();
        var vertices = new List<int>();
        foreach (var ring in rings)
        {
            var twiceArea = TwiceSignedArea(graph, ring, vertices);
            if (twiceArea > 0)
            {
                shells.Add((ring, twiceArea));
            }
            else
            {
                holes.Add(ring);
            }
        }

        var polygons = new List<List<int[]>>(shells.Count);
        foreach (var (ring, _) in shells)
        {
            polygons.Add([ring]);
        }

        if (holes.Count == 0)
        {
            return polygons;
        }

        if (shells.Count == 1)
        {
            polygons[0].AddRange(holes);
            return polygons;
        }

        var shellCoordinates = new Coordinate[shells.Count][];
        var shellEnvelopes = new Envelope[shells.Count];
        for (var s = 0; s < shells.Count; s++)
        {
            shellCoordinates[s] = Coordinates(graph, shells[s].Ring, vertices);
            shellEnvelopes[s] = new Envelope(shellCoordinates[s]);
        }

        foreach (var hole in holes)
        {
            var probe = FirstSegmentMidpoint(graph, hole[0]);
            var best = -1;
            for (var s = 0; s < shells.Count; s++)
            {
                if ((best < 0 || shells[s].TwiceArea < shells[best].TwiceArea)
                    && shellEnvelopes[s].Contains(probe)
                    && PointLocation.IsInRing(probe, shellCoordinates[s]))
                {
                    best = s;
                }
            }

            polygons[best < 0 ? 0 : best].Add(hole);
        }

        return polygons;
    }

    /// <summary>
    /// Replaces <paramref name="vertices"/> with the stored vertex indices of the ring, in ring order, each once (no
    /// closing repeat); with <paramref name="rank"/>, only the vertices ranked above <paramref name="keepAbove"/>.
    /// </summary>
    internal static void RingVertices(ChainGraph graph, ReadOnlySpan<int> ring, List<int> vertices, double[]? rank = null, double keepAbove = 0)
    {
        vertices.Clear();
        foreach (var reference in ring)
        {
            var chain = ChainPolygons.Chain(reference);
            int first = graph.ChainStart[chain], last = graph.ChainStart[chain + 1] - 1;
            if (ChainPolygons.IsReversed(reference))
            {
                for (var s = last; s > first; s--)
                {
                    if (rank is null || rank[s] > keepAbove)
                    {
                        vertices.Add(s);
                    }
                }
            }
            else
            {
                for (var s = first; s < last; s++)
                {
                    if (rank is null || rank[s] > keepAbove)
                    {
                        vertices.Add(s);
                    }
                }
            }
        }
    }

    private static double TwiceSignedArea(ChainGraph graph, int[] ring, List<int> vertices)
    {
        RingVertices(graph, ring, vertices);
        double x0 = graph.X[vertices[0]], y0 = graph.Y[vertices[0]], sum = 0;
        for (var i = 1; i + 1 < vertices.Count; i++)
        {
            int a = vertices[i], b = vertices[i + 1];
            sum += ((graph.X[a] - x0) * (graph.Y[b] - y0)) - ((graph.X[b] - x0) * (graph.Y[a] - y0));
        }

        return sum;
    }

    private static Coordinate[] Coordinates(ChainGraph graph, int[] ring, List<int> vertices)
    {
        RingVertices(graph, ring, vertices);
        var coordinates = new Coordinate[vertices.Count + 1];
        for (var i = 0; i < vertices.Count; i++)
        {
            coordinates[i] = new Coordinate(graph.X[vertices[i]], graph.Y[vertices[i]]);
        }

        coordinates[^1] = coordinates[0].Copy();
        return coordinates;
    }

    private static Coordinate FirstSegmentMidpoint(ChainGraph graph, int reference)
    {
        var chain = ChainPolygons.Chain(reference);
        int a = graph.ChainStart[chain], b = a + 1;
        return new Coordinate((graph.X[a] + graph.X[b]) / 2, (graph.Y[a] + graph.Y[b]) / 2);
    }
}
