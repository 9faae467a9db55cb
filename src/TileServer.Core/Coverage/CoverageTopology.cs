using NetTopologySuite.Geometries;
using TileServer.Core.Model;
using NetTopologySuite.Geometries.Implementation;

namespace TileServer.Core.Coverage;

/// <summary>
/// The shared-edge topology of a polygonal coverage (units that do not overlap and share their borders vertex for
/// vertex): nodes, chains of border between nodes with the unit on each side, and each unit's polygons as rings of
/// chains. Built once per dataset (by <see cref="CoverageCleaner"/>, or <see cref="FromCoverage"/> for a layer that
/// already is a coverage) and read by everything that needs the coverage's structure: the lookup index takes its
/// edges and owners from it, the tile simplifier ranks its chains, provinces and departments are dissolved from it.
/// </summary>
/// <remarks>
/// <para><b>Structure.</b> A node is a vertex where three or more units (counting the outside) meet, i.e. where the
/// number of border edges is not two; a ring of border without any such vertex (an island, an enclave) gets one node,
/// its smallest vertex (x, then y). A chain is the border between two consecutive nodes: a sequence of vertices whose
/// first and last are nodes (the same node for a closed ring), with one unit on its left and another, or the outside
/// (-1), on its right (<see cref="LeftUnit"/>, <see cref="RightUnit"/>; left as seen running from its first vertex to
/// its last). Every border segment of the coverage belongs to exactly one chain, so a border two units share is
/// stored once. <see cref="Units"/> gives each unit's polygons as rings of chain references
/// (<see cref="ChainPolygons"/>); <see cref="ToGeometries(ChainPolygons, GeometryFactory)"/> turns them, or those of
/// a <see cref="Dissolve"/>, back into geometries, so everything built from one topology has the same vertices on
/// both sides of every shared border.</para>
/// <para><b>Memory layout.</b> Flat arrays: the vertices of all chains in two double arrays (chain c from
/// <c>ChainStart[c]</c>; a node's coordinates are repeated at the end of each chain it bounds), and per chain
/// direction (a dart: <c>2c</c> forwards, <c>2c + 1</c> backwards) the node it leaves, the unit on its left and the
/// next dart around that face (the successor of the half-edge structure of de Berg et al., "Computational
/// Geometry", ch. 2). Chains play the role of NTS <c>CoverageEdge</c>s in <c>CoverageRingEdges</c> (JTS, Martin
/// Davis), which this replaces so that the structure is derived once and shared.</para>
/// <para><b>Construction.</b> From the cleaner's planar arrangement (<see cref="CoverageArrangement"/>), keeping the
/// edges whose two faces went to different units; or, for a layer that already is a coverage, by matching its
/// segments exactly (<see cref="FromCoverage"/>). Both end in the same chain building and ring tracing
/// (<see cref="RingTracer"/>, also the one used by <see cref="Dissolve"/>).</para>
/// <para>Thread safety: immutable; safe to read from any thread.</para>
/// </remarks>
public sealed class CoverageTopology
{
    private CoverageTopology(int unitCount, ChainGraph graph, ChainPolygons units)
    {
        UnitCount = unitCount;
        Graph = graph;
        Units = units;
    }

    /// <summary>Units of the coverage; indexes are positions in the layer the topology was built from.</summary>
    public int UnitCount { get; }

    public int NodeCount => Graph.NodeCount;

    public int ChainCount => Graph.ChainCount;

    /// <summary>Border segments over all chains (each shared segment once).</summary>
    public int SegmentCount => Graph.X.Length - Graph.ChainCount;

    /// <summary>Each unit's polygons as rings of chains, unit by unit (an empty unit has none).</summary>
    public ChainPolygons Units { get; }

    internal ChainGraph Graph { get; }

    /// <summary>The x (longitude, or the projected x) of a chain's vertices, first to last.</summary>
    public ReadOnlySpan<double> ChainX(int chain) => Graph.X.AsSpan(Graph.ChainStart[chain], Graph.ChainStart[chain + 1] - Graph.ChainStart[chain]);

    /// <summary>The y (latitude, or the projected y) of a chain's vertices, first to last.</summary>
    public ReadOnlySpan<double> ChainY(int chain) => Graph.Y.AsSpan(Graph.ChainStart[chain], Graph.ChainStart[chain + 1] - Graph.ChainStart[chain]);

    /// <summary>The node a chain starts at (0 .. <see cref="NodeCount"/> - 1).</summary>
    public int StartNode(int chain) => Graph.DartNode[2 * chain];

    /// <summary>The node a chain ends at (its start node when the chain is a closed ring).</summary>
    public int EndNode(int chain) => Graph.DartNode[(2 * chain) + 1];

    /// <summary>The unit on the left of the chain (running first to last vertex), or -1 for the outside.</summary>
    public int LeftUnit(int chain) => Graph.DartLeft[2 * chain];

    /// <summary>The unit on the right of the chain, or -1 for the outside.</summary>
    public int RightUnit(int chain) => Graph.DartLeft[(2 * chain) + 1];

    /// <summary>Replaces <paramref name="x"/> and <paramref name="y"/> with a ring's vertices in ring order, each once (no closing repeat).</summary>
    /// <param name="ring">A ring of <see cref="Units"/> or of a <see cref="Dissolve"/> of this topology.</param>
    public void RingCoordinates(ReadOnlySpan<int> ring, List<double> x, List<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var vertices = new List<int>();
        RingTracer.RingVertices(Graph, ring, vertices);
        x.Clear();
        y.Clear();
        foreach (var v in vertices)
        {
            x.Add(Graph.X[v]);
            y.Add(Graph.Y[v]);
        }
    }

    /// <summary>
    /// The polygons of groups of units: each group's outline traced over the chains whose two sides are in different
    /// groups (chains inside a group are dropped), as <see cref="CoverageCleaner"/> traces the units themselves.
    /// </summary>
    /// <param name="groupOfUnit">The group of every unit, 0 .. <paramref name="groupCount"/> - 1.</param>
    /// <param name="groupCount">Number of groups; a group without units has no polygon.</param>
    public ChainPolygons Dissolve(IReadOnlyList<int> groupOfUnit, int groupCount)
    {
        ArgumentNullException.ThrowIfNull(groupOfUnit);
        if (groupOfUnit.Count != UnitCount)
        {
            throw new ArgumentException($"One group per unit is required ({UnitCount}).", nameof(groupOfUnit));
        }

        for (var u = 0; u < groupOfUnit.Count; u++)
        {
            if ((uint)groupOfUnit[u] >= (uint)groupCount)
            {
                throw new ArgumentOutOfRangeException(nameof(groupOfUnit), $"unit {u} has group {groupOfUnit[u]}, outside 0 .. {groupCount - 1}");
            }
        }

        return RingTracer.Trace(Graph, groupOfUnit, groupCount);
    }

    /// <summary>The same topology with every vertex mapped by <paramref name="x"/> and <paramref name="y"/> (a projection such as Web Mercator).</summary>
    public CoverageTopology Project(Func<double, double> x, Func<double, double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var xs = new double[Graph.X.Length];
        var ys = new double[Graph.Y.Length];
        Parallel.For(0, (xs.Length + 4095) / 4096, LoadParallelism.Options, block =>
        {
            for (int i = block * 4096, end = Math.Min(i + 4096, xs.Length); i < end; i++)
            {
                xs[i] = x(Graph.X[i]);
                ys[i] = y(Graph.Y[i]);
            }
        });
        return new CoverageTopology(UnitCount, Graph.WithCoordinates(xs, ys), Units);
    }

    /// <summary>One geometry per group of <paramref name="polygons"/>: a Polygon, a MultiPolygon, or an empty Polygon for a group without polygons.</summary>
    /// <param name="polygons"><see cref="Units"/>, or the result of <see cref="Dissolve"/>, of this topology.</param>
    /// <param name="factory">Creates the geometries; its coordinate sequence factory is used (packed doubles are written directly).</param>
    public Geometry[] ToGeometries(ChainPolygons polygons, GeometryFactory factory) =>
        ToGeometries(polygons, factory, null, 0);

    /// <summary>
    /// As <see cref="ToGeometries(ChainPolygons, GeometryFactory)"/>, keeping only the chain vertices whose rank
    /// exceeds <paramref name="keepAbove"/>: how a simplification of the chains is applied (it ranks nodes infinite).
    /// A ring left with fewer than three vertices or no area is dropped (its neighbours meet along the same collapsed
    /// chains, so no gap opens), and a polygon whose shell is dropped goes with its holes.
    /// </summary>
    /// <param name="vertexRank">A rank per stored vertex (same order as the chains' vertices), or null to keep every vertex.</param>
    internal Geometry[] ToGeometries(ChainPolygons polygons, GeometryFactory factory, double[]? vertexRank, double keepAbove)
    {
        ArgumentNullException.ThrowIfNull(polygons);
        ArgumentNullException.ThrowIfNull(factory);
        var result = new Geometry[polygons.GroupCount];
        var packed = factory.CoordinateSequenceFactory is PackedCoordinateSequenceFactory;
        Parallel.For(0, polygons.GroupCount, LoadParallelism.Options, () => new List<int>(), (group, _, vertices) =>
        {
            var parts = new List<Polygon>();
            for (var p = polygons.PolygonStart(group); p < polygons.PolygonStart(group + 1); p++)
            {
                var shell = Ring(polygons.Ring(polygons.RingStart(p)), vertices);
                if (shell is null)
                {
                    continue;
                }

                var holes = new List<LinearRing>();
                for (var r = polygons.RingStart(p) + 1; r < polygons.RingStart(p + 1); r++)
                {
                    if (Ring(polygons.Ring(r), vertices) is { } hole)
                    {
                        holes.Add(hole);
                    }
                }

                parts.Add(factory.CreatePolygon(shell, [.. holes]));
            }

            result[group] = parts.Count switch
            {
                0 => factory.CreatePolygon(),
                1 => parts[0],
                _ => factory.CreateMultiPolygon([.. parts]),
            };
            return vertices;
        }, _ => { });
        return result;

        LinearRing? Ring(ReadOnlySpan<int> ring, List<int> vertices)
        {
            RingTracer.RingVertices(Graph, ring, vertices, vertexRank, keepAbove);

            var n = vertices.Count;
            if (n < 3)
            {
                return null;
            }

            double x0 = Graph.X[vertices[0]], y0 = Graph.Y[vertices[0]], twiceArea = 0;
            for (var i = 1; i + 1 < n; i++)
            {
                int a = vertices[i], b = vertices[i + 1];
                twiceArea += ((Graph.X[a] - x0) * (Graph.Y[b] - y0)) - ((Graph.X[b] - x0) * (Graph.Y[a] - y0));
            }

            if (twiceArea == 0)
            {
                return null;
            }

            if (packed)
            {
                var xy = new double[(n + 1) * 2];
                for (var i = 0; i <= n; i++)
                {
                    var v = vertices[i % n];
                    xy[2 * i] = Graph.X[v];
                    xy[(2 * i) + 1] = Graph.Y[v];
                }

                return factory.CreateLinearRing(new PackedDoubleCoordinateSequence(xy, 2, 0));
            }

            var coordinates = new Coordinate[n + 1];
            for (var i = 0; i < n; i++)
            {
                coordinates[i] = new Coordinate(Graph.X[vertices[i]], Graph.Y[vertices[i]]);
            }

            coordinates[n] = coordinates[0].Copy();
            return factory.CreateLinearRing(coordinates);
        }
    }

    /// <summary>
    /// The topology of a layer that already is a polygonal coverage, its shared borders matched vertex for vertex; null
    /// when it is not one: a geometry that is not a valid Polygon or MultiPolygon (or empty), or units that overlap or
    /// whose shared borders do not have the same vertices on both sides (NTS
    /// <see cref="NetTopologySuite.Coverage.CoverageValidator"/>, which checks exactly that, given valid polygons).
    /// Gaps between units are allowed (they are outside, as lakes are).
    /// </summary>
    public static CoverageTopology? FromCoverage(IReadOnlyList<Geometry> coverage)
    {
        ArgumentNullException.ThrowIfNull(coverage);
        var valid = new bool[coverage.Count];
        Parallel.For(0, coverage.Count, LoadParallelism.Options, u => valid[u] = coverage[u] is Polygon or MultiPolygon && coverage[u].IsValid);
        if (valid.Contains(false) || !NetTopologySuite.Coverage.CoverageValidator.IsValid([.. coverage]))
        {
            return null;
        }

        return CoverageMatcher.Match(coverage) is { } halfEdges ? FromHalfEdges(halfEdges, coverage.Count) : null;
    }

    /// <summary>Chains and unit rings of a boundary graph (the cleaner's arrangement, or a matched coverage).</summary>
    internal static CoverageTopology FromHalfEdges(BoundaryHalfEdges halfEdges, int unitCount)
    {
        var graph = ChainGraph.FromHalfEdges(halfEdges);
        var identity = new int[unitCount];
        for (var u = 0; u < unitCount; u++)
        {
            identity[u] = u;
        }

        return new CoverageTopology(unitCount, graph, RingTracer.Trace(graph, identity, unitCount));
    }
}
