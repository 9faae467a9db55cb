using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Implementation;
using TileServer.Core.Coverage;

namespace TileServer.Core.Tiles;

/// <summary>
/// A coverage simplified at many tolerances from one ranking: topology-preserving Visvalingam-Whyatt over the chains
/// of a <see cref="CoverageTopology"/>, computed once (<see cref="Rank(CoverageTopology, double)"/>), then a filter
/// per tolerance (<see cref="Simplify(ChainPolygons, double, GeometryFactory)"/>).
/// </summary>
/// <remarks>
/// <para>Why not NTS <see cref="NetTopologySuite.Coverage.CoverageSimplifier"/>: it extracts the shared edges and
/// runs its simplifier again for every tolerance; for the eleven zooms of Peru's districts that was about 1.1 s of
/// CPU (z10 alone 0.5 s), more than all the clipping and encoding of the same tiles (TileBuildBenchmarks,
/// benchmarks/README.md, Tiles). The algorithm is the same one (NTS <c>CoverageRingEdges</c> +
/// <c>TPVWSimplifier</c>, JTS by Martin Davis), restructured so that the expensive part happens once; the shared
/// edges are the topology's chains, derived once for the whole dataset.</para>
/// <para>Ranking (<see cref="VisvalingamRanking"/>): one queue (buckets of area ratio 4^(1/8)) over the interior
/// vertices of every chain by the area of the triangle each forms with its current neighbours; the smallest is
/// removed unless the triangle contains or touches another remaining vertex of any chain or the chain is a closed
/// ring down to two interior vertices; the neighbours' areas are then recomputed. Each removed vertex records its
/// area, clamped to be non-decreasing along the removal order, so the vertices whose recorded area is at most a
/// tolerance are a prefix of the removal sequence: the state the same run had at that tolerance, without crossings it
/// had not. Tolerance mapping as NTS: a distance tolerance d removes corners whose triangle area is at most d
/// squared.</para>
/// <para>Rebuilding (<see cref="CoverageTopology"/>'s geometry building with the recorded areas as ranks): a ring
/// keeps the nodes and the vertices whose recorded area exceeds the tolerance; a ring left with fewer than three
/// vertices or no area is dropped (its neighbours meet along the same collapsed chains, so no gap opens), a polygon
/// whose shell is dropped goes with its holes, and a group with no polygon left is an empty polygon. Any
/// <see cref="ChainPolygons"/> of the topology can be rebuilt, the units' or a dissolve's, so that every level shares
/// the same simplified chains.</para>
/// <para>Thread safety: immutable once <see cref="Rank(CoverageTopology, double, IReadOnlyList{double}, Action{ChainSimplification, double})"/>
/// has returned; during the ranking, <see cref="Simplify(ChainPolygons, double, GeometryFactory)"/> at a tolerance already reported
/// is final and safe from any thread.</para>
/// </remarks>
public sealed class ChainSimplification
{
    private static readonly GeometryFactory PackedFactory = new(new PrecisionModel(), 0, PackedCoordinateSequenceFactory.DoubleFactory);

    private readonly double[] _removalArea;

    private ChainSimplification(CoverageTopology topology, double[] removalArea)
    {
        Topology = topology;
        _removalArea = removalArea;
    }

    /// <summary>The topology ranked (in the plane it was given in).</summary>
    public CoverageTopology Topology { get; }

    /// <summary>Ranks the topology's chain vertices up to <paramref name="maxTolerance"/> (vertices that survive it are kept at every tolerance).</summary>
    public static ChainSimplification Rank(CoverageTopology topology, double maxTolerance) => Rank(topology, maxTolerance, [], null);

    /// <summary>
    /// Ranks the chain vertices and reports each of <paramref name="tolerances"/> as soon as the ranking has passed
    /// it, smallest first, so that callers can start on the fine zooms while the coarse ones are ranked.
    /// </summary>
    /// <param name="topology">The coverage's topology, in the plane of the tolerances (Web Mercator metres for tiles).</param>
    /// <param name="maxTolerance">The largest distance tolerance <see cref="Simplify(ChainPolygons, double, GeometryFactory)"/> will be asked for.</param>
    /// <param name="tolerances">Tolerances to report (at most <paramref name="maxTolerance"/>).</param>
    /// <param name="reached">
    /// Called on the ranking thread with the simplification and a tolerance once simplifying at that tolerance is
    /// final: from then on <see cref="Simplify(ChainPolygons, double, GeometryFactory)"/> may be called at that tolerance from any
    /// thread, before the ranking returns (later removals record areas above it).
    /// </param>
    public static ChainSimplification Rank(CoverageTopology topology, double maxTolerance, IReadOnlyList<double> tolerances,
        Action<ChainSimplification, double>? reached)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(tolerances);
        var removalArea = new double[topology.Graph.X.Length];
        Array.Fill(removalArea, double.PositiveInfinity);
        var simplification = new ChainSimplification(topology, removalArea);
        var milestones = tolerances.Where(t => t <= maxTolerance).Order().ToArray();
        new VisvalingamRanking(topology.Graph, removalArea).Run(maxTolerance * maxTolerance, milestones,
            tolerance => reached?.Invoke(simplification, tolerance));
        return simplification;
    }

    /// <summary>The topology's units simplified at a distance tolerance (NTS CoverageSimplifier's meaning), one geometry per unit, packed double coordinates.</summary>
    public Geometry[] Simplify(double tolerance) => Simplify(Topology.Units, tolerance, PackedFactory);

    /// <summary>
    /// The groups of <paramref name="polygons"/> (<see cref="CoverageTopology.Units"/> or a
    /// <see cref="CoverageTopology.Dissolve"/> of <see cref="Topology"/>) simplified at a distance tolerance, one
    /// geometry per group, made by <paramref name="factory"/>.
    /// </summary>
    public Geometry[] Simplify(ChainPolygons polygons, double tolerance, GeometryFactory factory) =>
        Topology.ToGeometries(polygons, factory, _removalArea, tolerance * tolerance);
}
