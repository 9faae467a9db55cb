namespace TileServer.Core.Coverage;

/// <summary>
/// Polygons over a <see cref="CoverageTopology"/>'s chains: for each group (a unit of the coverage, or a union of
/// units such as a province), its polygons, each a shell followed by its holes, each ring a cycle of chain
/// references.
/// </summary>
/// <remarks>
/// <para>A chain reference is <c>chain * 2</c> when the ring runs along the chain from its first vertex to its last,
/// <c>chain * 2 + 1</c> when it runs backwards (<see cref="Chain"/>, <see cref="IsReversed"/>). Each ring has its
/// group on its left: shells run counter-clockwise and holes clockwise (in a plane whose y axis points north).</para>
/// <para>Memory layout: compressed rows, four flat arrays: group g owns polygons
/// [<c>PolygonStart(g)</c>, <c>PolygonStart(g + 1)</c>), polygon p rings [<c>RingStart(p)</c>,
/// <c>RingStart(p + 1)</c>), its shell first; ring r is <see cref="Ring"/>(r). Rings hold no coordinates, so the same
/// polygons serve every plane and every simplification of the chains.</para>
/// <para>Thread safety: immutable; safe to read from any thread.</para>
/// </remarks>
public sealed class ChainPolygons
{
    private readonly int[] _groupPolygonStart;
    private readonly int[] _polygonRingStart;
    private readonly int[] _ringReferenceStart;
    private readonly int[] _references;

    internal ChainPolygons(int[] groupPolygonStart, int[] polygonRingStart, int[] ringReferenceStart, int[] references)
    {
        _groupPolygonStart = groupPolygonStart;
        _polygonRingStart = polygonRingStart;
        _ringReferenceStart = ringReferenceStart;
        _references = references;
    }

    /// <summary>Groups (units, or the groups of a dissolve), in the order they were given.</summary>
    public int GroupCount => _groupPolygonStart.Length - 1;

    /// <summary>The first polygon of <paramref name="group"/>; its last is <c>PolygonStart(group + 1) - 1</c>.</summary>
    public int PolygonStart(int group) => _groupPolygonStart[group];

    /// <summary>The first ring (the shell) of <paramref name="polygon"/>; its holes follow up to <c>RingStart(polygon + 1)</c>.</summary>
    public int RingStart(int polygon) => _polygonRingStart[polygon];

    /// <summary>The chain references of a ring, in order.</summary>
    public ReadOnlySpan<int> Ring(int ring) =>
        _references.AsSpan(_ringReferenceStart[ring], _ringReferenceStart[ring + 1] - _ringReferenceStart[ring]);

    /// <summary>The chain a reference runs along.</summary>
    public static int Chain(int reference) => reference >> 1;

    /// <summary>Whether a reference runs along its chain backwards.</summary>
    public static bool IsReversed(int reference) => (reference & 1) == 1;
}
