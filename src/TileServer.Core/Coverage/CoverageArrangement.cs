using NetTopologySuite.Geometries;
using TileServer.Core.Geodesy;

namespace TileServer.Core.Coverage;

/// <summary>
/// The planar arrangement of a district layer: every ring of every district snap-rounded to a fixed grid and noded
/// (<see cref="GridSnapRounder"/>, Hobby's snap rounding as in JTS), duplicate segments merged, and the resulting
/// planar graph split into faces, each labelled with the set of districts that cover it.
/// </summary>
/// <remarks>
/// <para>
/// Faces are traced on a half-edge structure (de Berg et al., "Computational Geometry", ch. 2): outgoing half-edges
/// are sorted around each node by exact integer angle comparison on the grid, and the successor of a half-edge is the
/// outgoing edge immediately clockwise of its twin, so every counter-clockwise cycle bounds a face on its left.
/// Clockwise cycles are the outer boundaries of connected components; each becomes a hole of the smallest face of
/// another component that contains it.
/// </para>
/// <para>
/// Labels are found topologically, with no point-in-polygon test: each segment carries the districts whose boundary
/// runs along it an odd number of times (a ring that collapses onto itself under snapping cancels out), and crossing
/// a segment toggles exactly those districts. A breadth-first walk from the unbounded face (covered by none) labels
/// every face. This is why the arrangement is also the cheapest way to measure overlaps and gaps.
/// </para>
/// <para>
/// Written here rather than with NTS <c>Polygonizer</c> plus a point-in-polygon test per face because the
/// polygonizer neither tells which faces lie on either side of an edge (needed to merge gaps by shared border length
/// and to trace district boundaries) nor labels faces, and an interior point per face costs more than the whole walk.
/// Immutable after construction; safe to read from any thread.
/// </para>
/// </remarks>
internal sealed class CoverageArrangement
{
    /// <summary>Face id of the unbounded face (outside every component).</summary>
    public int Unbounded => FaceCount;

    public int DistrictCount { get; }

    public double Scale { get; }

    /// <summary>Node coordinates on the grid, as integers (exact) and in degrees.</summary>
    public long[] NodeGridX { get; }

    public long[] NodeGridY { get; }

    public int EdgeCount { get; }

    /// <summary>Half-edge <c>h</c> runs from <c>Origin[h]</c> to <c>Origin[h ^ 1]</c>; its twin is <c>h ^ 1</c>.</summary>
    public int[] Origin { get; }

    /// <summary>The next half-edge along the face on the left.</summary>
    public int[] Next { get; }

    /// <summary>The face on the left of each half-edge; <see cref="Unbounded"/> for the outside.</summary>
    public int[] FaceOf { get; }

    public int FaceCount { get; }

    /// <summary>Ellipsoidal face areas in square metres (holes subtracted).</summary>
    public double[] FaceArea { get; }

    /// <summary>Districts covering each face: <c>Owners[OwnerStart[f]..OwnerStart[f + 1]]</c>, sorted.</summary>
    public int[] OwnerStart { get; }

    public int[] Owners { get; }

    /// <summary>Half-edges whose left face is f (shell and holes): <c>FaceHalfEdges[FaceHalfEdgeStart[f]..]</c>.</summary>
    public int[] FaceHalfEdgeStart { get; }

    public int[] FaceHalfEdges { get; }

    /// <summary>Per cycle: its first half-edge, and the face it bounds (shell) or lies in (component boundary).</summary>
    public int[] CycleStart { get; }

    public bool[] CycleIsShell { get; }

    public int[] CycleFace { get; }

    public double[] CycleArea { get; }

    /// <summary>Cycles bounding each face (its shell and the outlines of components inside it).</summary>
    public int[] FaceCycleStart { get; }

    public int[] FaceCycles { get; }

    private CoverageArrangement(int districtCount, double scale, long[] gx, long[] gy, int[] origin, int[] next,
        int[] faceOf, int faceCount, double[] faceArea, int[] ownerStart, int[] owners, int[] faceHalfEdgeStart,
        int[] faceHalfEdges, int[] cycleStart, bool[] cycleIsShell, int[] cycleFace, double[] cycleArea)
    {
        DistrictCount = districtCount;
        Scale = scale;
        NodeGridX = gx;
        NodeGridY = gy;
        EdgeCount = origin.Length / 2;
        Origin = origin;
        Next = next;
        FaceOf = faceOf;
        FaceCount = faceCount;
        FaceArea = faceArea;
        OwnerStart = ownerStart;
        Owners = owners;
        FaceHalfEdgeStart = faceHalfEdgeStart;
        FaceHalfEdges = faceHalfEdges;
        CycleStart = cycleStart;
        CycleIsShell = cycleIsShell;
        CycleFace = cycleFace;
        CycleArea = cycleArea;
        (FaceCycleStart, FaceCycles) = GroupBy(cycleFace, faceCount + 1);
    }

    public double X(int node) => NodeGridX[node] / Scale;

    public double Y(int node) => NodeGridY[node] / Scale;

    public ReadOnlySpan<int> OwnersOf(int face) =>
        face == Unbounded ? [] : Owners.AsSpan(OwnerStart[face], OwnerStart[face + 1] - OwnerStart[face]);

    /// <summary>Length in metres of the segment under a half-edge, in the <see cref="LocalFrame"/> of its midpoint (segments are short).</summary>
    public double SegmentLengthMetres(int halfEdge)
    {
        int a = Origin[halfEdge], b = Origin[halfEdge ^ 1];
        var frame = new LocalFrame(0, (NodeGridY[a] + NodeGridY[b]) / (2 * Scale));
        var dx = (NodeGridX[b] - NodeGridX[a]) / Scale * frame.UnitsPerDegreeLongitude;
        var dy = (NodeGridY[b] - NodeGridY[a]) / Scale * frame.UnitsPerDegreeLatitude;
        return Math.Sqrt((dx * dx) + (dy * dy));
    }

    /// <summary>
    /// The borders between owners, for <see cref="CoverageTopology"/>: the edges whose two faces have different
    /// owners (<paramref name="faceOwner"/>: a unit or -1 per face, the unbounded face included), each half-edge's
    /// successor being the next kept half-edge clockwise around its end (edges inside one owner are skipped, as if
    /// they had never been there).
    /// </summary>
    public BoundaryHalfEdges Boundaries(int[] faceOwner)
    {
        var keptIndex = new int[EdgeCount];
        var kept = 0;
        for (var e = 0; e < EdgeCount; e++)
        {
            keptIndex[e] = faceOwner[FaceOf[2 * e]] != faceOwner[FaceOf[(2 * e) + 1]] ? kept++ : -1;
        }

        var origin = new int[2 * kept];
        var next = new int[2 * kept];
        var left = new int[2 * kept];
        for (var h = 0; h < Origin.Length; h++)
        {
            var k = keptIndex[h >> 1];
            if (k < 0)
            {
                continue;
            }

            var n = Next[h];
            while (keptIndex[n >> 1] < 0)
            {
                n = Next[n ^ 1];
            }

            var h2 = (2 * k) + (h & 1);
            origin[h2] = Origin[h];
            left[h2] = faceOwner[FaceOf[h]];
            next[h2] = (2 * keptIndex[n >> 1]) + (n & 1);
        }

        var x = new double[NodeGridX.Length];
        var y = new double[NodeGridY.Length];
        for (var v = 0; v < x.Length; v++)
        {
            x[v] = X(v);
            y[v] = Y(v);
        }

        return new BoundaryHalfEdges(x, y, origin, next, left);
    }

    /// <summary>Builds the arrangement of <paramref name="districts"/> on a grid of 1/<paramref name="scale"/> degrees.</summary>
    public static CoverageArrangement Build(IReadOnlyList<Geometry> districts, double scale)
    {
        ArgumentNullException.ThrowIfNull(districts);
        if (districts.Count >= 1 << 24)
        {
            throw new ArgumentException("At most 16,777,215 districts are supported.", nameof(districts));
        }

        var noded = Node(districts, scale);
        var (gx, gy) = (noded.X, noded.Y);
        var (edgeA, edgeB, sourceStart, sources) = KeepBoundaryEdges(noded);
        var nodeCount = gx.Length;
        var edgeCount = edgeA.Length;

        var origin = new int[2 * edgeCount];
        for (var e = 0; e < edgeCount; e++)
        {
            origin[2 * e] = edgeA[e];
            origin[(2 * e) + 1] = edgeB[e];
        }

        var next = LinkHalfEdges(origin, nodeCount, new AngleComparer(gx, gy, origin).Compare);

        // Cycles: counter-clockwise ones bound a face on their left; clockwise ones are component outlines.
        var cycleOf = new int[origin.Length];
        Array.Fill(cycleOf, -1);
        var cycleStart = new List<int>();
        var cycleIsShell = new List<bool>();
        var cycleArea = new List<double>();
        var projectedX = new double[nodeCount];
        var projectedY = new double[nodeCount];
        for (var n = 0; n < nodeCount; n++)
        {
            projectedX[n] = EqualAreaProjection.X(gx[n] / scale);
            projectedY[n] = EqualAreaProjection.Y(gy[n] / scale);
        }

        for (var h = 0; h < origin.Length; h++)
        {
            if (cycleOf[h] >= 0)
            {
                continue;
            }

            var cycle = cycleStart.Count;
            double gridTwiceArea = 0, projectedTwiceArea = 0;
            var first = origin[h];
            long x0 = gx[first], y0 = gy[first];
            double px0 = projectedX[first], py0 = projectedY[first];
            var e = h;
            do
            {
                cycleOf[e] = cycle;
                int a = origin[e], b = origin[e ^ 1];
                gridTwiceArea += ((double)(gx[a] - x0) * (gy[b] - y0)) - ((double)(gx[b] - x0) * (gy[a] - y0));
                projectedTwiceArea += ((projectedX[a] - px0) * (projectedY[b] - py0)) - ((projectedX[b] - px0) * (projectedY[a] - py0));
                e = next[e];
            }
            while (e != h);

            cycleStart.Add(h);
            cycleIsShell.Add(gridTwiceArea > 0);
            cycleArea.Add(Math.Abs(projectedTwiceArea) / 2);
        }

        var cycleCount = cycleStart.Count;
        var cycleFace = new int[cycleCount];
        var faceCount = 0;
        for (var c = 0; c < cycleCount; c++)
        {
            cycleFace[c] = cycleIsShell[c] ? faceCount++ : -1;
        }

        PlaceComponents(gx, gy, origin, next, cycleOf, cycleStart, cycleIsShell, cycleArea, cycleFace, faceCount, nodeCount);

        var faceOf = new int[origin.Length];
        for (var h = 0; h < origin.Length; h++)
        {
            faceOf[h] = cycleFace[cycleOf[h]];
        }

        var faceArea = new double[faceCount];
        for (var c = 0; c < cycleCount; c++)
        {
            if (cycleIsShell[c])
            {
                faceArea[cycleFace[c]] += cycleArea[c];
            }
            else if (cycleFace[c] != faceCount)
            {
                faceArea[cycleFace[c]] -= cycleArea[c];
            }
        }

        var (faceHalfEdgeStart, faceHalfEdges) = GroupBy(faceOf, faceCount + 1);
        var (ownerStart, owners) = LabelFaces(faceOf, faceCount, faceHalfEdgeStart, faceHalfEdges, sourceStart, sources);

        return new CoverageArrangement(districts.Count, scale, gx, gy, origin, next, faceOf, faceCount, faceArea,
            ownerStart, owners, faceHalfEdgeStart, faceHalfEdges, [.. cycleStart], [.. cycleIsShell], cycleFace,
            [.. cycleArea]);
    }

    private static NodedLinework Node(IReadOnlyList<Geometry> districts, double scale)
    {
        var rounder = new GridSnapRounder(scale);
        for (var d = 0; d < districts.Count; d++)
        {
            var geometry = districts[d];
            for (var p = 0; p < geometry.NumGeometries; p++)
            {
                if (geometry.GetGeometryN(p) is not Polygon polygon || polygon.IsEmpty)
                {
                    continue;
                }

                rounder.Add(polygon.ExteriorRing.CoordinateSequence, d);
                for (var r = 0; r < polygon.NumInteriorRings; r++)
                {
                    rounder.Add(polygon.GetInteriorRingN(r).CoordinateSequence, d);
                }
            }
        }

        return rounder.Node();
    }

    /// <summary>
    /// Keeps, per noded edge, the districts whose boundary runs along it an odd number of times. Edges left with none
    /// are not boundaries of anything and are dropped.
    /// </summary>
    private static (int[] EdgeA, int[] EdgeB, int[] SourceStart, int[] Sources) KeepBoundaryEdges(NodedLinework noded)
    {
        var edgeA = new List<int>(noded.EdgeCount);
        var edgeB = new List<int>(noded.EdgeCount);
        var sourceStart = new List<int>(noded.EdgeCount + 1) { 0 };
        var sources = new List<int>(noded.Tags.Length);
        var scratch = new List<int>();
        for (var e = 0; e < noded.EdgeCount; e++)
        {
            var tags = noded.TagsOf(e);
            var firstSource = sources.Count;
            if (tags.Length == 1)
            {
                sources.Add(tags[0]);
            }
            else
            {
                scratch.Clear();
                scratch.AddRange(tags);
                scratch.Sort();
                var i = 0;
                while (i < scratch.Count)
                {
                    var run = 1;
                    while (i + run < scratch.Count && scratch[i + run] == scratch[i])
                    {
                        run++;
                    }

                    if ((run & 1) == 1)
                    {
                        sources.Add(scratch[i]);
                    }

                    i += run;
                }
            }

            if (sources.Count > firstSource)
            {
                edgeA.Add(noded.EdgeA[e]);
                edgeB.Add(noded.EdgeB[e]);
                sourceStart.Add(sources.Count);
            }
        }

        return ([.. edgeA], [.. edgeB], [.. sourceStart], [.. sources]);
    }

    /// <summary>
    /// Sorts the half-edges leaving each vertex counter-clockwise with <paramref name="counterClockwise"/> and links
    /// each half-edge to its successor on its left face: the outgoing half-edge at its end immediately clockwise of its
    /// twin. Shared with <see cref="CoverageMatcher"/>, which sorts with a robust predicate on doubles.
    /// </summary>
    internal static int[] LinkHalfEdges(int[] origin, int vertexCount, Comparison<int> counterClockwise)
    {
        var (outStart, outgoing) = GroupBy(origin, vertexCount);
        var position = new int[origin.Length];
        for (var n = 0; n < vertexCount; n++)
        {
            var span = outgoing.AsSpan(outStart[n], outStart[n + 1] - outStart[n]);
            if (span.Length > 2)
            {
                span.Sort(counterClockwise);
            }

            for (var k = 0; k < span.Length; k++)
            {
                position[span[k]] = k;
            }
        }

        var next = new int[origin.Length];
        for (var h = 0; h < origin.Length; h++)
        {
            var twin = h ^ 1;
            var v = origin[twin];
            var degree = outStart[v + 1] - outStart[v];
            var k = position[twin] == 0 ? degree - 1 : position[twin] - 1;
            next[h] = outgoing[outStart[v] + k];
        }

        return next;
    }

    /// <summary>Counter-clockwise order of outgoing half-edges, exact on grid integers.</summary>
    private sealed class AngleComparer(long[] gx, long[] gy, int[] origin)
    {
        public int Compare(int h1, int h2)
        {
            long dx1 = gx[origin[h1 ^ 1]] - gx[origin[h1]], dy1 = gy[origin[h1 ^ 1]] - gy[origin[h1]];
            long dx2 = gx[origin[h2 ^ 1]] - gx[origin[h2]], dy2 = gy[origin[h2 ^ 1]] - gy[origin[h2]];
            var half1 = dy1 < 0 || (dy1 == 0 && dx1 < 0) ? 1 : 0;
            var half2 = dy2 < 0 || (dy2 == 0 && dx2 < 0) ? 1 : 0;
            if (half1 != half2)
            {
                return half1 - half2;
            }

            // Segments are far shorter than 2^31 grid units, so the cross product fits in a long exactly.
            var cross = (dx1 * dy2) - (dy1 * dx2);
            return cross > 0 ? -1 : cross < 0 ? 1 : 0;
        }
    }

    /// <summary>
    /// Puts each connected component's outline (a clockwise cycle) into the smallest face of another component that
    /// contains it, or the unbounded face.
    /// </summary>
    /// <remarks>
    /// A layer has few components (29 on Peru: the mainland and islands), so each outline is tested against the
    /// envelopes of all shells, gathered in one pass over the half-edges; an R-tree of the shells cost more to build
    /// than all the tests together.
    /// </remarks>
    private static void PlaceComponents(long[] gx, long[] gy, int[] origin, int[] next, int[] cycleOf,
        List<int> cycleStart, List<bool> cycleIsShell, List<double> cycleArea, int[] cycleFace, int faceCount,
        int nodeCount)
    {
        var outlines = new List<int>();
        for (var c = 0; c < cycleStart.Count; c++)
        {
            if (!cycleIsShell[c])
            {
                outlines.Add(c);
            }
        }

        if (outlines.Count == 1)
        {
            cycleFace[outlines[0]] = faceCount;
            return;
        }

        var cycleCount = cycleStart.Count;
        var minX = new long[cycleCount];
        var maxX = new long[cycleCount];
        var minY = new long[cycleCount];
        var maxY = new long[cycleCount];
        Array.Fill(minX, long.MaxValue);
        Array.Fill(maxX, long.MinValue);
        Array.Fill(minY, long.MaxValue);
        Array.Fill(maxY, long.MinValue);
        for (var h = 0; h < origin.Length; h++)
        {
            int c = cycleOf[h], n = origin[h];
            minX[c] = Math.Min(minX[c], gx[n]);
            maxX[c] = Math.Max(maxX[c], gx[n]);
            minY[c] = Math.Min(minY[c], gy[n]);
            maxY[c] = Math.Max(maxY[c], gy[n]);
        }

        var component = Components(origin, nodeCount);
        foreach (var outline in outlines)
        {
            var probe = origin[cycleStart[outline]];
            var probeComponent = component[probe];
            long px = gx[probe], py = gy[probe];
            var best = -1;
            for (var candidate = 0; candidate < cycleCount; candidate++)
            {
                if (!cycleIsShell[candidate] || px < minX[candidate] || px > maxX[candidate] || py < minY[candidate]
                    || py > maxY[candidate] || component[origin[cycleStart[candidate]]] == probeComponent
                    || (best >= 0 && cycleArea[candidate] >= cycleArea[best])
                    || !CycleContains(gx, gy, origin, next, cycleStart[candidate], px, py))
                {
                    continue;
                }

                best = candidate;
            }

            cycleFace[outline] = best < 0 ? faceCount : cycleFace[best];
        }
    }

    /// <summary>Ray-crossing test; the probe is never on the cycle (it belongs to another, disjoint component).</summary>
    private static bool CycleContains(long[] gx, long[] gy, int[] origin, int[] next, int start, long px, long py)
    {
        var inside = false;
        var e = start;
        do
        {
            int a = origin[e], b = origin[e ^ 1];
            long ax = gx[a], ay = gy[a], bx = gx[b], by = gy[b];
            if ((ay > py) != (by > py))
            {
                // Sign of the crossing's x relative to px, computed exactly: (bx-ax)(py-ay) - (px-ax)(by-ay) over (by-ay).
                var numerator = (Int128)(bx - ax) * (py - ay) - ((Int128)(px - ax) * (by - ay));
                if ((numerator > 0) == (by > ay))
                {
                    inside = !inside;
                }
            }

            e = next[e];
        }
        while (e != start);
        return inside;
    }

    private static int[] Components(int[] origin, int nodeCount)
    {
        var parent = new int[nodeCount];
        for (var n = 0; n < nodeCount; n++)
        {
            parent[n] = n;
        }

        int Find(int n)
        {
            while (parent[n] != n)
            {
                parent[n] = parent[parent[n]];
                n = parent[n];
            }

            return n;
        }

        for (var h = 0; h < origin.Length; h += 2)
        {
            int a = Find(origin[h]), b = Find(origin[h + 1]);
            if (a != b)
            {
                parent[a] = b;
            }
        }

        for (var n = 0; n < nodeCount; n++)
        {
            parent[n] = Find(n);
        }

        return parent;
    }

    /// <summary>Counting sort of indices 0..keys.Length-1 by key, as compressed rows.</summary>
    private static (int[] Start, int[] Items) GroupBy(int[] keys, int keyCount)
    {
        var start = new int[keyCount + 1];
        foreach (var key in keys)
        {
            start[key + 1]++;
        }

        for (var k = 0; k < keyCount; k++)
        {
            start[k + 1] += start[k];
        }

        var fill = start[..^1];
        var items = new int[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            items[fill[keys[i]]++] = i;
        }

        return (start, items);
    }

    private static (int[] OwnerStart, int[] Owners) LabelFaces(int[] faceOf, int faceCount, int[] faceHalfEdgeStart,
        int[] faceHalfEdges, int[] sourceStart, int[] sources)
    {
        var labels = new int[faceCount + 1][];
        labels[faceCount] = [];
        var queue = new Queue<int>();
        queue.Enqueue(faceCount);
        while (queue.Count > 0)
        {
            var face = queue.Dequeue();
            for (var k = faceHalfEdgeStart[face]; k < faceHalfEdgeStart[face + 1]; k++)
            {
                var h = faceHalfEdges[k];
                var across = faceOf[h ^ 1];
                if (labels[across] is not null)
                {
                    continue;
                }

                var edge = h >> 1;
                labels[across] = SymmetricDifference(labels[face],
                    sources.AsSpan(sourceStart[edge], sourceStart[edge + 1] - sourceStart[edge]));
                queue.Enqueue(across);
            }
        }

        var ownerStart = new int[faceCount + 1];
        var total = 0;
        for (var f = 0; f < faceCount; f++)
        {
            ownerStart[f] = total;
            total += labels[f]?.Length ?? 0;
        }

        ownerStart[faceCount] = total;
        var owners = new int[total];
        for (var f = 0; f < faceCount; f++)
        {
            labels[f]?.CopyTo(owners, ownerStart[f]);
        }

        return (ownerStart, owners);
    }

    private static int[] SymmetricDifference(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        var result = new List<int>(a.Length + b.Length);
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (j == b.Length || (i < a.Length && a[i] < b[j]))
            {
                result.Add(a[i++]);
            }
            else if (i == a.Length || b[j] < a[i])
            {
                result.Add(b[j++]);
            }
            else
            {
                i++;
                j++;
            }
        }

        return [.. result];
    }
}
